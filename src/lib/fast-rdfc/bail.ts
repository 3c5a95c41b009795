/**
 * Control-flow signals of the fast canonicalizer (internal).
 *
 * `Bail`: the input is outside the compiled subset (or a compile step failed); the caller hands the untouched
 * input to stock jsonld.js + rdf-canonize, so the result, or the error, is the stock one by construction.
 * `NeedCompile`: the synchronous walker met a context transition that is not compiled yet; the driver compiles
 * it (async, through jsonld.js's own context processor) and walks again.
 */
export class Bail extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Bail';
  }
}

export class NeedCompile {
  constructor(readonly run: () => Promise<void>) {}
}

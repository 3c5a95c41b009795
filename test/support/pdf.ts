/**
 * Reading back the PDFs the service makes, as a viewer would (pdf.js): the QR codes its images hold.
 */
import jsqr from 'jsqr';
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

// A CommonJS package: its default export is the module object, whose `default` is the decoder.
const jsQR = jsqr.default;

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>['promise']>['getPage']>>;

/**
 * What each image painted on the page decodes to as a QR code (undefined for an image that is none), in order.
 *
 * @example
 * ```ts
 * const qr = await pageQrCodes(await doc.getPage(1)); // ['https://credentials.example.ac.uk/c/…']
 * ```
 */
export async function pageQrCodes(page: PdfPage): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  const ops = await page.getOperatorList();
  for (let i = 0; i < ops.fnArray.length; i++) {
    if (ops.fnArray[i] !== OPS.paintImageXObject) continue;
    const img = await new Promise<{ width: number; height: number; data: Uint8Array }>((resolve) => page.objs.get(ops.argsArray[i][0], resolve));
    // Grey, RGB or RGBA samples as the RGBA jsQR reads.
    const channels = img.data.length / (img.width * img.height);
    const rgba = new Uint8ClampedArray(img.width * img.height * 4);
    for (let p = 0; p < img.width * img.height; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = img.data[p * channels + (channels >= 3 ? c : 0)] as number;
      rgba[p * 4 + 3] = 255;
    }
    out.push(jsQR(rgba, img.width, img.height)?.data);
  }
  return out;
}

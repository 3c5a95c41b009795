/**
 * QR codes of the links learners and staff scan: SVG (error correction M, the quiet zone of 4 modules ISO/IEC
 * 18004 asks), and the same as an image URL for pages.
 */
import QRCode from 'qrcode';

/**
 * An SVG QR code of a link (error correction M, a quiet zone of 4 modules as ISO/IEC 18004 asks).
 *
 * @example
 * ```ts
 * const svg = await qrSvg('https://creds.example.ac.uk/issuers/northbridge/interactions/…?iuv=1');
 * ```
 */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/**
 * The same QR code as an image URL (`data:image/svg+xml`), for pages: they never insert markup, even markup we made,
 * and their CSP allows data: images.
 *
 * @example
 * ```ts
 * <img src={await qrImageUrl(links.lcw.universal)} alt="QR code" />
 * ```
 */
export async function qrImageUrl(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(text)).toString('base64')}`;
}

// Browser-side test helper: reads a rendered QR <svg> back, as a phone camera would (jsQR).
import jsQR from 'jsqr';

/** Rasterises `svg` with a white quiet zone and decodes it; null when no QR is found. */
export async function scanSvg(svg: SVGSVGElement): Promise<string | null> {
  const size = svg.viewBox.baseVal.width;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  for (const path of clone.querySelectorAll('path'))
    if (!path.getAttribute('fill')) path.setAttribute('fill', '#000');
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(clone.outerHTML)}`;
  await image.decode();
  const scale = 8;
  const quiet = 4 * scale;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size * scale + 2 * quiet;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = false;
  g.drawImage(image, quiet, quiet, size * scale, size * scale);
  const data = g.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(data.data, data.width, data.height)?.data ?? null;
}

/** Decodes the QR in an image (a downloaded card's PNG data URL); null when none is found. */
export async function scanImage(src: string): Promise<string | null> {
  const image = new Image();
  image.src = src;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.drawImage(image, 0, 0);
  const data = g.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(data.data, data.width, data.height)?.data ?? null;
}

/** Runs `action` and resolves the first link it clicks (a download), caught instead of followed. */
export async function catchDownload(
  action: () => void,
  timeout = 5000,
): Promise<HTMLAnchorElement> {
  const click = HTMLAnchorElement.prototype.click;
  try {
    return await new Promise<HTMLAnchorElement>((resolve, reject) => {
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        resolve(this);
      };
      setTimeout(() => reject(new Error('no download was started')), timeout);
      action();
    });
  } finally {
    HTMLAnchorElement.prototype.click = click;
  }
}

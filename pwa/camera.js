// Camera scanning through the BarcodeDetector API (Chrome on Android, ChromeOS, macOS). Where the
// browser lacks it, or the page is not on HTTPS, the app shows a plain message pointing to the scanner.

import { h } from './ui.js';

const WANTED = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'code_39', 'itf', 'qr_code', 'data_matrix'];

/** Return why the camera cannot scan here, or '' when it can. */
export async function cameraProblem() {
  if (!window.isSecureContext) return 'The camera needs a secure connection: open the app with https:// (see the README on certificates).';
  if (!('BarcodeDetector' in window)) return 'This browser cannot read barcodes with the camera (no BarcodeDetector). Use the scanner, or type the code into the scan field.';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'This browser gives no camera access. Use the scanner.';
  const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
  if (!formats.some((f) => WANTED.includes(f))) return 'The camera reader here supports none of the barcode formats used in the warehouse. Use the scanner.';
  return '';
}

/** Open the camera overlay; resolves with the first code read, or null when closed or unavailable. */
export async function scanWithCamera() {
  const overlay = document.getElementById('camera');
  const problem = await cameraProblem();
  if (problem) {
    overlay.replaceChildren(h('div', { class: 'dialog-box' }, h('h2', {}, 'Camera scanning unavailable'), h('p', { id: 'camera-message' }, problem),
      h('button', { class: 'btn btn-primary', id: 'camera-close', onclick: () => { overlay.hidden = true; } }, 'OK')));
    overlay.hidden = false;
    return null;
  }
  const formats = (await window.BarcodeDetector.getSupportedFormats()).filter((f) => WANTED.includes(f));
  const detector = new window.BarcodeDetector({ formats });
  const video = h('video', { playsinline: true, muted: true, class: 'camera-video' });
  let stream = null;
  let stopped = false;
  return new Promise((resolve) => {
    const stop = (value) => {
      if (stopped) return;
      stopped = true;
      if (stream) stream.getTracks().forEach((t) => t.stop());
      overlay.hidden = true;
      overlay.replaceChildren();
      resolve(value);
    };
    overlay.replaceChildren(h('div', { class: 'camera-box' }, video, h('button', { class: 'btn', id: 'camera-close', onclick: () => stop(null) }, 'Close camera')));
    overlay.hidden = false;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(async (s) => {
      stream = s;
      video.srcObject = s;
      await video.play();
      const tick = async () => {
        if (stopped) return;
        try {
          const codes = await detector.detect(video);
          if (codes.length) { stop(codes[0].rawValue); return; }
        } catch (_) { /* a frame that cannot be read yet */ }
        setTimeout(tick, 120);
      };
      tick();
    }).catch((err) => {
      overlay.replaceChildren(h('div', { class: 'dialog-box' }, h('p', { id: 'camera-message' }, `Camera refused: ${err.message}. Allow the camera for this site, or use the scanner.`),
        h('button', { class: 'btn btn-primary', onclick: () => stop(null) }, 'OK')));
    });
  });
}

/**
 * Per-group IoU for COCO evaluation: boxes with maskApi.c `bbIou` arithmetic (inline flat
 * loop over float64 columns), masks through @ocelot/core's RLE functions.
 */
/**
 * Computes IoUs of one (image, category) group. `dtSel[0..D)` are detection columns in
 * decreasing score order, `gtSel[0..G)` ground-truth columns in file order. Writes
 * `iou[d * G + g]` and, for detections whose area is not known yet (segm results), fills
 * `cols.dtArea`.
 */
export interface GroupIou {
  compute(dtSel: Int32Array, D: number, gtSel: Int32Array, G: number, iou: Float64Array): void;
}

/**
 * maskApi.c `bbIou` on COCO xywh boxes: intersection w·h (0 unless both are > 0), union
 * da + ga − i, or da alone for a crowd ground truth. Same float64 operations in the same order.
 */
export function boxGroupIou(
  dtBox: Float64Array,
  gtBox: Float64Array,
  gtCrowd: Uint8Array,
): GroupIou {
  return {
    compute(dtSel, D, gtSel, G, iou) {
      for (let g = 0; g < G; g++) {
        const go = 4 * gtSel[g]!;
        const gx = gtBox[go]!;
        const gy = gtBox[go + 1]!;
        const gw = gtBox[go + 2]!;
        const gh = gtBox[go + 3]!;
        const gx2 = gw + gx;
        const gy2 = gh + gy;
        const ga = gw * gh;
        const crowd = gtCrowd[gtSel[g]!] === 1;
        for (let d = 0; d < D; d++) {
          const o = 4 * dtSel[d]!;
          const dx = dtBox[o]!;
          const dy = dtBox[o + 1]!;
          const dw = dtBox[o + 2]!;
          const dh = dtBox[o + 3]!;
          let v = 0;
          const w = Math.min(dw + dx, gx2) - Math.max(dx, gx);
          if (w > 0) {
            const h = Math.min(dh + dy, gy2) - Math.max(dy, gy);
            if (h > 0) {
              const i = w * h;
              const da = dw * dh;
              v = i / (crowd ? da : da + ga - i);
            }
          }
          iou[d * G + g] = v;
        }
      }
    },
  };
}

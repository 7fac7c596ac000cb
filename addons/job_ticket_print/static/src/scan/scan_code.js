/**
 * What a scan gives: a hand scanner types the barcode (the order number) or the
 * QR code's URL (…/job_ticket/o/<order>) followed by Enter.
 *
 * @param {string} scanned
 * @returns {string} the order number
 */
export function orderCodeFromScan(scanned) {
    const text = (scanned || "").trim();
    const marker = "/job_ticket/o/";
    const at = text.lastIndexOf(marker);
    if (at === -1) {
        return text;
    }
    return decodeURIComponent(text.slice(at + marker.length).split(/[?#/]/)[0]);
}

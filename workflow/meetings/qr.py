"""QR codes drawn on the server by segno (pure Python) as SVG: no CDN, no JavaScript library."""
import io

import segno


def svg(text, scale=8, border=2, title=""):
    """The QR code of ``text`` as a standalone SVG document (error correction M: readable from
    the back of a meeting room on a projector, still small for a URL of ~80 characters)."""
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, border=border, xmldecl=False, svgns=True,
              title=title or None, dark="#000", light="#fff", svgclass="signin-qr", lineclass=None)
    return buffer.getvalue().decode("utf-8")

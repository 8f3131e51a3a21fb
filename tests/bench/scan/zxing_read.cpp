// zxing-cpp for the decoder benchmark (see zxing_read.h).
#define ZX_USE_UTF8 1
#include "zxing_read.h"

#include <ReadBarcode.h>
#include <cstring>

int bench_zxing_read(const uint8_t *grey, int w, int h, char *out, size_t cap, size_t *len)
{
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    ZXing::Result r =
        ZXing::ReadBarcode(ZXing::ImageView(grey, w, h, ZXing::ImageFormat::Lum), hints);
    if (!r.isValid()) {
        return 0;
    }
    std::string t = r.text();
    if (t.size() + 1 > cap) {
        return 0;
    }
    std::memcpy(out, t.data(), t.size());
    out[t.size()] = '\0';
    *len = t.size();
    return 1;
}

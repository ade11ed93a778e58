#include "daemon/web/assets.h"

#include "core/xml_text.h"

namespace meabridge::daemon::web {

using core::XmlEscape;

// Two linked rings (two agreements, one exchange) on the status page's green.
const char kFaviconSvg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" height=\"32\" viewBox=\"0 0 32 32\">"
    "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1a7f37\"/>"
    "<circle cx=\"12\" cy=\"16\" r=\"7\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3\"/>"
    "<circle cx=\"20\" cy=\"16\" r=\"7\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3\"/>"
    "</svg>\n";

std::string IconLink(const std::string& base_url) {
  return "<link rel=\"icon\" type=\"image/svg+xml\" href=\"" + core::XmlEscape(base_url) +
         "favicon.ico\"/>\n";
}

}  // namespace meabridge::daemon::web

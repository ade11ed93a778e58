// The assets the daemon's HTML pages (/, /status, /docs/) share, served by the daemon itself:
// the pages load nothing from anywhere else (no fonts, no scripts, no external images).
//
//   /favicon.ico   the icon (SVG; every current browser accepts it at this path), so that a
//                  browser's own request for it does not end in a 404 and a console error
//
// Every page names the icon in its <head> (kIconLink).
#pragma once

#include <string>

namespace meabridge::daemon::web {

// The icon: a 32x32 SVG, image/svg+xml.
extern const char kFaviconSvg[];
inline constexpr const char* kFaviconPath = "/favicon.ico";
// <link rel="icon" ...> for a page's <head>; `base_url` ends with '/' (the public URL).
std::string IconLink(const std::string& base_url);

}  // namespace meabridge::daemon::web

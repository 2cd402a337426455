// The web UI's static files (src/serve/assets/), compiled into the binary by
// a CMake step (assets/embed_assets.cmake), so the UI needs no files on disk
// and no network.
#pragma once

#include <string_view>
#include <vector>

namespace refinery::serve::internal {

struct WebAsset {
  std::string_view name;          // "style.css"
  std::string_view content_type;  // "text/css;charset=UTF-8"
  std::string_view content;
};

// Every embedded asset; generated into the build directory.
const std::vector<WebAsset>& WebAssets();

}  // namespace refinery::serve::internal

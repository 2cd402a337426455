// Rasterizes an SVG drawing (the workflow graph) to PNG for clients that ask
// for show=graph&format=png, as Oozie's console offers. librsvg and cairo are
// the reference renderer; they live in the `graphics` plugin, loaded on the
// first PNG request only.
#pragma once

#include <string>

#include "core/status.h"

namespace refinery::serve {

Result<std::string> RenderSvgAsPng(const std::string& svg);

}  // namespace refinery::serve

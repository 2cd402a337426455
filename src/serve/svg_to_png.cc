#include "serve/svg_to_png.h"

#include "core/plugin.h"

namespace refinery::serve {

Result<std::string> RenderSvgAsPng(const std::string& svg) {
  using Entry = void (*)(const std::string*, Result<std::string>*);
  REFINERY_ASSIGN_OR_RETURN(void* address, FindPluginSymbol("graphics", "refinery_svg_to_png"));
  Result<std::string> png = Status::Internal("the graphics plugin returned nothing", kPluginCode);
  reinterpret_cast<Entry>(address)(&svg, &png);
  return png;
}

}  // namespace refinery::serve

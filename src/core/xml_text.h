// XML escaping as Oozie's XmlUtils.escapeCharsForXML does it: & < > " '.
// Used where EL results are spliced into action XML.
#pragma once

#include <string>
#include <string_view>

namespace refinery {

std::string EscapeXml(std::string_view text);

}  // namespace refinery

// profile.html: the profile as a page a person would rather look at than
// read. Self-contained (inline CSS and SVG, no scripts, no external assets):
// an overview, the rule results, the drift table, then one section per column
// with its statistics, a null bar and a histogram or bar chart. Keyboard
// friendly: a skip link, a table of contents of anchors, native
// <details>/<summary> sections and visible focus outlines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace refinery::profile {

// `profile` is a profile.json object; its optional "rules" array is shown too.
std::string RenderHtmlReport(const nlohmann::json& profile);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string HtmlEscape(const std::string& text);

}  // namespace refinery::profile

// Internal to workflow/: Hadoop/Oozie `${name}` substitution against a
// Properties (XConfiguration.substituteVars), shared by job_config and the
// parser's retry-* attributes.
#pragma once

#include <string>
#include <string_view>

#include "core/properties.h"
#include "core/status.h"

namespace refinery::workflow::internal {

// Repeatedly replaces the first `${name}` (name without '}', '$' or space)
// with the raw value of `name` in `conf`. Stops, returning the text so far,
// at the first reference `conf` cannot resolve — as Oozie does, later
// references stay unresolved too. More than `max_depth` substitutions (-1:
// unlimited) is "Variable substitution depth too large: <max_depth> <expr>".
Result<std::string> SubstituteVariables(std::string_view expr, const Properties& conf, int max_depth = 20);

}  // namespace refinery::workflow::internal

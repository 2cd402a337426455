// libFuzzer target: Oozie's <command> splitting (both splitters), Sqoop's
// option parser and the delimited-text escaper must return a value or a
// Status for any input, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "actions/sqoop_command.h"
#include "data/delimited_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool shell_like = (data[0] & 1) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto args = refinery::actions::internal::SplitSqoopCommand(text, shell_like);
  if (args.ok()) {
    refinery::actions::internal::DropLeadingSqoop(&args.value());
    auto options = refinery::actions::internal::ParseSqoopArgs(*args);
    if (options.ok()) {
      (void)refinery::actions::internal::DescribeSqoopOptions(*options);
      std::string out;
      (void)refinery::data::AppendEscaped(text, options->format, &out);
    }
    (void)refinery::actions::internal::RedactedCommandLine(*args);
  }
  return 0;
}

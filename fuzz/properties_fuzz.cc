// libFuzzer: arbitrary bytes through the job.properties and Hadoop XML
// parsers. Nothing may crash; whatever parses must survive Format -> Parse
// unchanged, and variable resolution must terminate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/properties.h"
#include "workflow/job_config.h"

namespace {

void CheckJavaRoundTrip(const refinery::Properties& parsed) {
  const refinery::Result<refinery::Properties> again =
      refinery::ParseJavaProperties(refinery::FormatJavaProperties(parsed), "round-trip");
  if (!again.ok() || !(*again == parsed)) std::abort();
}

void CheckXmlRoundTrip(const refinery::Properties& parsed) {
  const refinery::Result<refinery::Properties> again =
      refinery::ParseHadoopConfigurationXml(refinery::FormatHadoopConfigurationXml(parsed), "round-trip.xml");
  if (!again.ok() || !(*again == parsed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const refinery::Result<refinery::Properties> java = refinery::ParseJavaProperties(text, "job.properties");
  if (java.ok()) {
    CheckJavaRoundTrip(*java);
    (void)refinery::workflow::ResolveVariables(*java);
    (void)refinery::workflow::ResolveVariables(*java, -1);
  }
  const refinery::Result<refinery::Properties> xml = refinery::ParseHadoopConfigurationXml(text, "conf.xml");
  if (xml.ok()) {
    CheckXmlRoundTrip(*xml);
    (void)refinery::workflow::ResolveVariables(*xml);
  }
  return 0;
}

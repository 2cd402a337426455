// Internal to actions/: the <spark> action's command line, kept apart from
// running it so the exact argv Oozie's SparkMain hands to SparkSubmit can be
// tested as data. Not part of the public API.
#pragma once

#include <string>
#include <vector>

#include "core/properties.h"

namespace refinery::actions::internal {

// One shipped <file> or <archive>: where it came from and the name of its
// local copy in the working directory.
struct ShippedEntry {
  std::string source;  // the path as written, without "#link"
  std::string link;    // the copy's file name
};

// What the <spark> element and the working directory say.
struct SparkJob {
  std::string master;
  std::string mode;        // "" = no <mode>
  std::string name;
  std::string class_name;  // "" = no <class>
  std::string jar;         // the text of <jar> (a path or a comma list)
  std::string spark_opts;  // the text of <spark-opts>
  std::vector<std::string> args;
  std::vector<ShippedEntry> files;     // <file>
  std::vector<ShippedEntry> archives;  // <archive>
  bool spark_defaults_present = false;  // a spark-defaults.conf was shipped
};

// SparkOptionsSplitter.splitSparkOpts (Oozie 5): an option starts at
// "--name" (a trailing '=' is dropped); everything up to the next option is
// its value, trimmed, kept whole, and unquoted only when the value part of a
// key=value is quoted at both ends and nowhere else.
std::vector<std::string> SplitSparkOpts(const std::string& spark_opts);

// SparkArgsExtractor.extract: the spark-submit arguments (without argv[0]).
// `action_conf` supplies the oozie.* properties Oozie forwards as
// --conf spark.oozie.*=... and mapreduce.job.tags.
std::vector<std::string> SparkSubmitArguments(const SparkJob& job, const Properties& action_conf);

}  // namespace refinery::actions::internal

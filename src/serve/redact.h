// Keeps secrets out of what the server shows: configuration values whose
// names say they are secret, <password> elements and --password arguments in
// workflow definitions. What a user needs to debug (which key, which action)
// stays visible; only the value becomes "*****".
#pragma once

#include <string>

namespace refinery::serve {

inline constexpr const char* kRedacted = "*****";

// True for keys such as "db.password", "oozie.email.smtp.password",
// "aws.secret.key", "api.token", "jdbc.credentials".
bool IsSecretKey(const std::string& key);
// A Hadoop configuration XML with secret values replaced; text that does not
// parse is returned with only the element/argument rules applied.
std::string RedactConfigurationXml(const std::string& xml);
// Workflow or action XML with <password> values and --password arguments
// replaced.
std::string RedactDefinitionXml(const std::string& xml);

}  // namespace refinery::serve

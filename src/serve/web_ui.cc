// The UI's router and shared layout: which page answers a path, the header
// with the main navigation, the security headers, and the embedded assets.
#include "serve/web_ui.h"

#include <optional>

#include "serve/web_ui_assets.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve {
namespace {

using internal::Escape;

constexpr std::string_view kUiPrefix = "/ui/";
constexpr std::string_view kAssetPrefix = "/ui/assets/";

// Pages load only what the server itself serves: no inline script, no
// third-party origin; the quality report frame is same-origin.
constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

struct NavItem {
  const char* section;
  const char* href;
  const char* label;
};

constexpr NavItem kNav[] = {
    {"dashboard", "/", "Dashboard"},
    {"jobs", "/ui/jobs", "Jobs"},
    {"quality", "/ui/quality", "Data quality"},
    {"models", "/ui/models", "Models"},
};

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// "/ui/jobs/ID" with prefix "/ui/jobs/" gives "ID"; nested paths are not ids.
std::optional<std::string> IdAfter(std::string_view path, std::string_view prefix) {
  if (!StartsWith(path, prefix) || path.size() == prefix.size()) return std::nullopt;
  return std::string(path.substr(prefix.size()));
}

std::string Header(const std::string& section) {
  std::string html =
      "<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
      "<header class=\"site-header\"><a class=\"brand\" href=\"/\">Refinery</a>"
      "<nav aria-label=\"Main\"><ul>";
  for (const NavItem& item : kNav) {
    html += std::string("<li><a href=\"") + item.href + "\"" +
            (section == item.section ? " aria-current=\"page\"" : "") + ">" + item.label + "</a></li>";
  }
  return html + "</ul></nav></header>\n";
}

HttpResponse Render(const WebPage& page, const WebUiOptions& options) {
  HttpResponse response;
  response.status = page.status;
  response.content_type = "text/html;charset=UTF-8";
  response.headers.emplace_back("Content-Security-Policy", kPagePolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      Escape(page.title) +
      " · Refinery</title>"
      "<link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/ui/assets/style.css\">"
      "<script src=\"/ui/assets/app.js\" defer></script></head>\n<body>\n" +
      Header(page.section) + "<main id=\"main\" tabindex=\"-1\">\n<h1>" + Escape(page.title) + "</h1>\n" +
      page.body_html + "\n</main>\n<footer>Refinery " + Escape(options.build_version) + " · " +
      internal::Link("/oozie/v2/admin/status", "Oozie API") + " · " + internal::Link("/metrics", "Metrics") +
      "</footer>\n</body></html>\n";
  return response;
}

HttpResponse AssetResponse(std::string_view name, const WebUiOptions& options) {
  for (const internal::WebAsset& asset : internal::WebAssets()) {
    if (asset.name != name) continue;
    HttpResponse response;
    response.content_type = std::string(asset.content_type);
    response.body = std::string(asset.content);
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Cache-Control", "max-age=300");
    return response;
  }
  return Render(internal::NotFoundPage("There is no asset named \"" + std::string(name) + "\"."), options);
}

WebPage ModelsPlaceholder() {
  WebPage page = internal::NotFoundPage(
      "This server has no model pages: the model registry is not part of this build or not configured.");
  page.title = "Models";
  page.section = "models";
  return page;
}

// "/ui/quality/{action-id}/profile.html": the report itself, for the frame.
std::optional<std::string> ReportFileActionId(std::string_view path) {
  constexpr std::string_view kFile = "/profile.html";
  auto rest = IdAfter(path, "/ui/quality/");
  if (!rest || rest->size() <= kFile.size() || rest->compare(rest->size() - kFile.size(), kFile.size(), kFile) != 0) {
    return std::nullopt;
  }
  return rest->substr(0, rest->size() - kFile.size());
}

WebPage WithSection(WebPage page, const char* section) {
  page.section = section;
  return page;
}

WebPage BuiltinPage(const WebUiOptions& options, const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/" || path == "/index.html" || path == "/ui" || path == "/ui/") {
    return WithSection(internal::DashboardPage(options), "dashboard");
  }
  if (path == "/ui/jobs") return WithSection(internal::JobsPage(options, request), "jobs");
  if (auto id = IdAfter(path, "/ui/jobs/")) return WithSection(internal::JobPage(options, *id), "jobs");
  if (path == "/ui/coordinators") return WithSection(internal::CoordinatorsPage(options), "jobs");
  if (auto id = IdAfter(path, "/ui/coordinators/")) {
    return WithSection(internal::CoordinatorPage(options, *id), "jobs");
  }
  if (path == "/ui/quality") return WithSection(internal::QualityPage(options), "quality");
  if (auto id = IdAfter(path, "/ui/quality/")) {
    return WithSection(internal::QualityReportPage(options, *id), "quality");
  }
  if (path == "/ui/models" || StartsWith(path, "/ui/models/")) return ModelsPlaceholder();
  return internal::NotFoundPage("There is no page at " + path + ".");
}

}  // namespace

WebUi::WebUi(WebUiOptions options) : options_(std::move(options)) {}

void WebUi::AddPage(const std::string& prefix, WebPageHandler handler) { extra_pages_[prefix] = std::move(handler); }

bool WebUi::Serves(std::string_view path) {
  return path == "/" || path == "/index.html" || path == "/ui" || StartsWith(path, kUiPrefix);
}

std::string WebUi::RouteOf(std::string_view path) {
  if (path == "/" || path == "/index.html") return "/";
  if (StartsWith(path, kAssetPrefix)) return "/ui/assets";
  for (std::string_view prefix : {"/ui/jobs/", "/ui/coordinators/", "/ui/quality/"}) {
    if (IdAfter(path, prefix)) return std::string(prefix) + "{id}";
  }
  if (StartsWith(path, "/ui/models")) return "/ui/models";
  for (std::string_view page : {"/ui/jobs", "/ui/coordinators", "/ui/quality"}) {
    if (path == page) return std::string(page);
  }
  return "/ui/other";  // unknown paths must not grow the metrics' label set
}

HttpResponse WebUi::Handle(const HttpRequest& request) const {
  const std::string& path = request.path;
  if (request.method != "GET" && request.method != "HEAD") {
    WebPage page = internal::NotFoundPage("The web UI is read-only: use GET.");
    page.status = 405;
    page.title = "Method not allowed";
    HttpResponse response = Render(page, options_);
    response.headers.emplace_back("Allow", "GET");
    return response;
  }
  if (StartsWith(path, kAssetPrefix)) {
    return AssetResponse(std::string_view(path).substr(kAssetPrefix.size()), options_);
  }
  if (auto action = ReportFileActionId(path)) return internal::QualityReportFile(options_, *action);
  for (const auto& [prefix, handler] : extra_pages_) {
    if (path == prefix || StartsWith(path, prefix + "/")) {
      WebPage page = handler(request);
      if (page.section.empty()) page.section = "models";
      return Render(page, options_);
    }
  }
  return Render(BuiltinPage(options_, request), options_);
}

}  // namespace refinery::serve

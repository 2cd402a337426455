// The web UI that `refinery server` serves to browsers: server-rendered,
// read-only HTML pages over the store (dashboard, workflow runs with their
// graph and Gantt timeline, coordinators, data-quality reports), one shared
// layout with keyboard-friendly navigation, and the CSS/JS compiled into the
// binary (no CDN, works offline). Every page is a GET, escapes everything it
// shows and redacts secret configuration values; an unknown id is a 404 page.
// Other modules add pages under their own prefix with AddPage (the Models
// pages under /ui/models). doc/ui.md describes each page.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "fs/file_system.h"
#include "serve/http.h"
#include "store/store.h"

namespace refinery::serve {

// A page before the shared layout wraps it.
struct WebPage {
  int status = 200;
  std::string title;      // <title> and the page's <h1>
  std::string section;    // the nav item shown as current: "dashboard", "jobs", "quality", "models"
  std::string body_html;  // the content of <main> after the <h1>; the handler escapes what it puts here
};

using WebPageHandler = std::function<WebPage(const HttpRequest&)>;

struct WebUiOptions {
  store::Store* store = nullptr;       // required
  fs::FileSystem* files = nullptr;     // the data home's file system; null: quality reports cannot be opened
  const Clock* clock = SystemClock();  // "now" for the duration of running jobs
  std::string base_url;                // "http://127.0.0.1:11000", shown as OOZIE_URL on the dashboard
  std::string build_version = "0.1.0";
};

class WebUi {
 public:
  explicit WebUi(WebUiOptions options);

  // Registers `handler` for GET requests whose path is `prefix` or starts
  // with `prefix` + "/" (e.g. "/ui/models"). Its page is wrapped in the
  // shared layout. Call before the server takes requests; not thread-safe
  // against Handle.
  void AddPage(const std::string& prefix, WebPageHandler handler);

  // True for the paths the UI answers: "/", "/index.html" and "/ui/...".
  static bool Serves(std::string_view path);
  // Answers a request for a path Serves() accepts. Thread-safe.
  HttpResponse Handle(const HttpRequest& request) const;
  // A metrics label for a UI path, ids replaced ("/ui/jobs/{id}").
  static std::string RouteOf(std::string_view path);

 private:
  WebUiOptions options_;
  std::map<std::string, WebPageHandler> extra_pages_;
};

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace refinery::serve

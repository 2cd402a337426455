// The `graphics` plugin: SVG to PNG through librsvg onto a cairo surface.
#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cmath>
#include <string>

#include "core/status.h"

namespace {

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

refinery::Status RenderError(const char* what, GError* error) {
  const std::string reason = error != nullptr ? error->message : "unknown reason";
  g_clear_error(&error);
  return refinery::Status::InvalidArgument(std::string("cannot draw the graph as PNG: ") + what + ": " + reason);
}

}  // namespace

extern "C" void refinery_svg_to_png(const std::string* svg, refinery::Result<std::string>* out) {
  GError* error = nullptr;
  RsvgHandle* handle =
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg->data()), svg->size(), &error);
  if (handle == nullptr) {
    *out = RenderError("the SVG does not parse", error);
    return;
  }
  gdouble width = 0;
  gdouble height = 0;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(handle, &width, &height) || width < 1 || height < 1) {
    width = 800;
    height = 600;
  }
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(std::ceil(width)),
                                                        static_cast<int>(std::ceil(height)));
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);  // PNG viewers show transparency as black or checkers
  cairo_paint(cr);
  const RsvgRectangle viewport{0, 0, width, height};
  if (!rsvg_handle_render_document(handle, cr, &viewport, &error)) {
    *out = RenderError("rendering failed", error);
  } else {
    std::string png;
    cairo_surface_flush(surface);
    if (cairo_surface_write_to_png_stream(surface, AppendToString, &png) != CAIRO_STATUS_SUCCESS) {
      *out = refinery::Status::Internal("cannot encode the graph as PNG");
    } else {
      *out = std::move(png);
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  g_object_unref(handle);
}

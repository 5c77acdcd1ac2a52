// PlotFrame: the axes, ticks, legend and nemesis shading shared by the SVG plots.
//
// A frame maps data to pixels on a fixed canvas: x is linear (time, seconds), y linear
// or logarithmic. Ticks are "nice" numbers (1, 2, 5 times a power of ten). The caller
// draws its marks between begin() and end() through the same XmlWriter. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "viz/op_span.h"
#include "viz/xml_writer.h"

namespace squall::viz {

struct Scale {
  double lo = 0, hi = 1;        // data range
  double px_lo = 0, px_hi = 1;  // pixel range (px_lo may exceed px_hi: y grows down)
  bool log = false;             // log10; lo must then be > 0
  double map(double v) const;   // clamps to the range
};

// About `target` nice tick values covering [lo, hi] (powers of ten for log scales).
std::vector<double> ticks(const Scale& s, int target);

// Short tick text: "0.5", "20", "1e-3".
std::string tick_label(double v);

struct LegendEntry {
  std::string text;
  std::string swatch;  // an SVG fragment of trusted markup, drawn at (0,0) in a 12x12 box
};

class PlotFrame {
 public:
  static constexpr double kWidth = 900, kHeight = 420;
  static constexpr double kLeft = 70, kRight = 190, kTop = 40, kBottom = 50;

  PlotFrame(std::string title, Scale x, Scale y, std::string x_title, std::string y_title);
  Scale x() const { return x_; }
  Scale y() const { return y_; }

  // Opens the document and draws title, shading, grid and axes.
  void begin(XmlWriter& w, const std::vector<Window>& nemesis) const;
  // Draws the legend and an optional note, closes the document.
  void end(XmlWriter& w, const std::vector<LegendEntry>& legend, std::string_view note) const;

 private:
  std::string title_;
  Scale x_, y_;
  std::string x_title_, y_title_;
};

// Fill colour of an outcome (ok green, fail red, info orange, open grey).
std::string_view outcome_colour(Outcome o);

}  // namespace squall::viz

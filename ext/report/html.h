// One self-contained HTML page: inline CSS, a little inline JavaScript (sortable tables, a copy
// button for fix SQL), inline SVG charts; no external asset, no network. Pure C++ (no SQLite).
// Only this file writes markup, and every text it is given goes through Escape, so a query text
// such as `</script><img src=x onerror=alert(1)>` shows as text and never runs.
//
// Example:
//   html::Page page("sqlite-doctor: app.db");
//   page.Section("findings", "Findings", "Most severe first.");
//   page.AddTable({{"severity", "finding"}, {{html::Cell::Text("warn"), html::Cell::Text(f)}}});
//   std::string text = std::move(page).Finish();
#ifndef DOCTOR_REPORT_HTML_H_
#define DOCTOR_REPORT_HTML_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace doctor::report::html {

// A cell's text is cut here (at a UTF-8 boundary, with "…"): a 10 MB statement stays readable.
inline constexpr size_t kMaxCellBytes = 4000;

// & < > " ' as entities: safe in text and in a quoted attribute.
std::string Escape(absl::string_view text);

// One table cell: markup made here from escaped text, and the key the column sorts by.
struct Cell {
  std::string html;
  std::string sort_key;  // data-sort, escaped; "" sorts by the shown text
  bool number = false;   // right-aligned
  bool wide = false;     // given room: a statement's text

  static Cell Text(absl::string_view text);
  // A number shown with `decimals` places, more for a value that would round to 0 (never a
  // false 0: 0.00067 with 2 places is "0.0007"; core HumanDecimal); sorts by its full value.
  static Cell Number(double value, int decimals = 0);
  // SQL or a plan, in a monospaced block.
  static Cell Code(absl::string_view text);
  // A statement's text given room, with a small note under it (e.g. its id).
  static Cell Code(absl::string_view text, absl::string_view note);
  // SQL to run, with a button that copies it.
  static Cell Fix(absl::string_view sql);
  // A bar chart (inline SVG) of `values`, labelled low and high under it.
  static Cell Bars(const std::vector<double>& values, absl::string_view low, absl::string_view high,
                   absl::string_view title);
  // `text` in a monospaced block, folded under `summary` until clicked.
  static Cell Details(absl::string_view summary, absl::string_view text);
  // An empty cell.
  static Cell None() { return {}; }
};

struct Table {
  std::vector<std::string> headers;  // plain text
  std::vector<std::vector<Cell>> rows;
  bool sortable = false;  // click a header to sort by it
  // Optional, one per row: a CSS class (e.g. "critical"); letters, digits and '-' only.
  std::vector<std::string> row_classes;
};

// The bar heights drawn by a query_stats latency sparkline ("45µs ▁▃█ ▂ 362µs": ▁..█ are 1..8,
// a space inside is an empty bucket), with its two bounds. Empty when the text is not one.
struct Sparkline {
  std::vector<double> levels;
  std::string low, high;
};
Sparkline ParseSparkline(absl::string_view text);

class Page {
 public:
  explicit Page(absl::string_view title);

  // Starts a section with an anchor `id` (letters, digits, '-' and '_'), listed in the contents.
  void Section(absl::string_view id, absl::string_view title, absl::string_view intro = "");
  void Paragraph(absl::string_view text);
  // A note that something is missing or failed (shown in its own style).
  void Note(absl::string_view text);
  void AddTable(const Table& table);
  // Counts shown as badges, e.g. {"critical", "2"}; the name is also the badge's CSS class.
  void Badges(const std::vector<std::pair<std::string, std::string>>& badges);

  // The whole document.
  std::string Finish() &&;

 private:
  std::string title_;
  std::vector<std::pair<std::string, std::string>> contents_;  // id, title
  std::string body_;
  bool in_section_ = false;
};

}  // namespace doctor::report::html

#endif  // DOCTOR_REPORT_HTML_H_

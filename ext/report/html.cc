#include "ext/report/html.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ext/core/text.h"

namespace doctor::report::html {
namespace {

// The page's look: readable on screen and in print, severities coloured, wide text wrapped.
constexpr char kStyle[] = R"css(
:root { --fg: #1d232b; --muted: #5b6572; --line: #d8dde3; --head: #f3f5f7; --accent: #2f5d8a;
        --critical: #b42318; --warn: #b54708; --info: #475467; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 6px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { padding: 8px 24px 40px; }
section { margin-top: 22px; }
h2 { font-size: 17px; margin: 0 0 4px; border-bottom: 2px solid var(--accent); display: inline-block; }
p.intro { color: var(--muted); margin: 4px 0 8px; }
p.note { color: var(--warn); margin: 4px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left;
         overflow-wrap: break-word; }
th { background: var(--head); font-weight: 600; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \2195"; color: var(--muted); }
th[aria-sort=ascending]::after { content: " \2191"; }
th[aria-sort=descending]::after { content: " \2193"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre, code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap;
            overflow-wrap: break-word; margin: 0; }
td.wide { min-width: 24em; }
div.sub { color: var(--muted); font-size: 11px; margin-top: 2px; }
div.fix { position: relative; min-width: 18em; background: #f6f8fa; border: 1px solid var(--line); padding: 4px 6px; }
div.fix pre { padding-right: 56px; }
button.copy { position: absolute; top: 3px; right: 3px; font-size: 11px; cursor: pointer; }
tr.critical td:first-child { border-left: 4px solid var(--critical); }
tr.warn td:first-child { border-left: 4px solid var(--warn); }
tr.info td:first-child { border-left: 4px solid var(--info); }
span.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; margin-right: 6px;
             color: #fff; background: var(--info); }
span.badge.critical { background: var(--critical); }
span.badge.warn { background: var(--warn); }
svg.bars rect { fill: var(--accent); }
div.range { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; }
details summary { cursor: pointer; color: var(--accent); }
)css";

// Sorting (numbers as numbers, text otherwise; descending first) and copying fix SQL. It ends by
// marking the document ready, so a test can tell that it ran to the end without an error.
constexpr char kScript[] = R"js(
(function () {
  'use strict';
  function key(cell) {
    var k = cell.getAttribute('data-sort');
    return k !== null ? k : cell.textContent.trim();
  }
  function compare(a, b) {
    var x = a === '' ? NaN : Number(a), y = b === '' ? NaN : Number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    if (!isNaN(x)) return -1;
    if (!isNaN(y)) return 1;
    return a.localeCompare(b);
  }
  function sortBy(th) {
    var body = th.closest('table').tBodies[0];
    var headers = Array.prototype.slice.call(th.parentNode.children);
    var column = headers.indexOf(th);
    var descending = th.getAttribute('aria-sort') !== 'descending';
    headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r, s) {
      var c = compare(key(r.cells[column]), key(s.cells[column]));
      return descending ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); }
    });
  });
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.addEventListener('click', function () {
      var code = button.parentNode.querySelector('pre');
      function select() {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = 'selected';
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = 'copied';
        }, select);
      } else {
        select();
      }
    });
  });
  document.documentElement.setAttribute('data-ready', '1');
})();
)js";

// Ids and classes are written by this extension, but are still reduced to a safe alphabet.
std::string Token(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') out += c;
  }
  return out;
}

std::string Cut(absl::string_view text) {
  if (text.size() <= kMaxCellBytes) return std::string(text);
  return absl::StrCat(Utf8Prefix(text, kMaxCellBytes), "…");
}

// The level (1..8) of one bar character ▁..█ (U+2581..U+2588, E2 96 81..88), or 0.
int BarLevel(absl::string_view text, size_t i) {
  if (i + 2 >= text.size() || text[i] != '\xE2' || text[i + 1] != '\x96') return 0;
  const unsigned char last = static_cast<unsigned char>(text[i + 2]);
  return last >= 0x81 && last <= 0x88 ? last - 0x80 : 0;
}

}  // namespace

std::string Escape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Cell Cell::Text(absl::string_view text) { return {Escape(Cut(text)), "", false}; }

Cell Cell::Number(double value, int decimals) {
  // Never a false 0: BEGIN's 0.00067 ms in all showed as "0.00" total ms, as if it had taken no
  // time (HumanDecimal gives it the places that show it).
  return {HumanDecimal(value, decimals), absl::StrFormat("%.17g", value), true};
}

Cell Cell::Code(absl::string_view text) {
  return {absl::StrCat("<pre>", Escape(Cut(text)), "</pre>"), "", false};
}

Cell Cell::Code(absl::string_view text, absl::string_view note) {
  std::string html = absl::StrCat("<pre>", Escape(Cut(text)), "</pre>");
  if (!note.empty()) absl::StrAppend(&html, "<div class=\"sub\">", Escape(note), "</div>");
  return {std::move(html), "", false, true};
}

Cell Cell::Fix(absl::string_view sql) {
  return {absl::StrCat("<div class=\"fix\"><button class=\"copy\" type=\"button\">copy</button>"
                       "<pre>",
                       Escape(Cut(sql)), "</pre></div>"),
          "", false};
}

Cell Cell::Details(absl::string_view summary, absl::string_view text) {
  return {absl::StrCat("<details><summary>", Escape(summary), "</summary><pre>", Escape(Cut(text)),
                       "</pre></details>"),
          "", false};
}

Cell Cell::Bars(const std::vector<double>& values, absl::string_view low, absl::string_view high,
                absl::string_view title) {
  if (values.empty()) return None();
  constexpr int kBarWidth = 6, kHeight = 28;
  const double top = std::max(1e-12, *std::max_element(values.begin(), values.end()));
  const int width = static_cast<int>(values.size()) * kBarWidth;
  std::string svg = absl::StrFormat(
      "<svg class=\"bars\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
      "<title>%s</title>",
      width, kHeight, width, kHeight, Escape(title));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] > 0)) continue;  // an empty bucket leaves a gap
    const double h = std::max(1.0, (kHeight - 2) * values[i] / top);
    absl::StrAppendFormat(&svg, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>",
                          static_cast<int>(i) * kBarWidth, kHeight - h, kBarWidth - 1, h);
  }
  absl::StrAppend(&svg, "</svg><div class=\"range\" style=\"width:", std::max(width, 90),
                  "px\"><span>", Escape(low), "</span><span>", Escape(high), "</span></div>");
  return {std::move(svg), "", false};
}

Sparkline ParseSparkline(absl::string_view text) {
  const size_t first = text.find(' '), last = text.rfind(' ');
  if (first == absl::string_view::npos || last <= first) return {};
  Sparkline s{{}, std::string(text.substr(0, first)), std::string(text.substr(last + 1))};
  const absl::string_view bars = text.substr(first + 1, last - first - 1);
  for (size_t i = 0; i < bars.size();) {
    if (bars[i] == ' ') {
      s.levels.push_back(0);
      ++i;
    } else if (const int level = BarLevel(bars, i); level > 0) {
      s.levels.push_back(level);
      i += 3;
    } else {
      return {};  // not a sparkline
    }
  }
  return s;
}

Page::Page(absl::string_view title) : title_(title) {}

void Page::Section(absl::string_view id, absl::string_view title, absl::string_view intro) {
  if (in_section_) body_ += "</section>\n";
  in_section_ = true;
  contents_.emplace_back(Token(id), std::string(title));
  absl::StrAppend(&body_, "<section id=\"", Token(id), "\"><h2>", Escape(title), "</h2>\n");
  if (!intro.empty()) absl::StrAppend(&body_, "<p class=\"intro\">", Escape(intro), "</p>\n");
}

void Page::Paragraph(absl::string_view text) {
  absl::StrAppend(&body_, "<p>", Escape(Cut(text)), "</p>\n");
}

void Page::Note(absl::string_view text) {
  absl::StrAppend(&body_, "<p class=\"note\">", Escape(Cut(text)), "</p>\n");
}

void Page::Badges(const std::vector<std::pair<std::string, std::string>>& badges) {
  body_ += "<p>";
  for (const auto& [name, count] : badges) {
    absl::StrAppend(&body_, "<span class=\"badge ", Token(name), "\">", Escape(count), " ",
                    Escape(name), "</span>");
  }
  body_ += "</p>\n";
}

void Page::AddTable(const Table& table) {
  absl::StrAppend(&body_, table.sortable ? "<table class=\"sortable\">" : "<table>", "<thead><tr>");
  for (const std::string& h : table.headers) absl::StrAppend(&body_, "<th>", Escape(h), "</th>");
  body_ += "</tr></thead><tbody>\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r < table.row_classes.size()) {
      absl::StrAppend(&body_, "<tr class=\"", Token(table.row_classes[r]), "\">");
    } else {
      body_ += "<tr>";
    }
    for (const Cell& cell : table.rows[r]) {
      absl::StrAppend(&body_, cell.number ? "<td class=\"num\""
                              : cell.wide ? "<td class=\"wide\""
                                          : "<td");
      if (!cell.sort_key.empty()) absl::StrAppend(&body_, " data-sort=\"", cell.sort_key, "\"");
      absl::StrAppend(&body_, ">", cell.html, "</td>");
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table>\n";
}

std::string Page::Finish() && {
  if (in_section_) body_ += "</section>\n";
  std::string nav;
  for (const auto& [id, title] : contents_) {
    absl::StrAppend(&nav, "<a href=\"#", id, "\">", Escape(title), "</a>");
  }
  // The policy forbids every fetch: the page works offline and cannot call home.
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      Escape(title_), "</title>\n<style>", kStyle, "</style></head>\n<body><header><h1>",
      Escape(title_), "</h1><nav>", nav, "</nav></header>\n<main>\n", body_, "</main>\n<script>",
      kScript, "</script>\n</body></html>\n");
}

}  // namespace doctor::report::html

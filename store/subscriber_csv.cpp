#include "store/subscriber_csv.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

namespace pintar::store {
namespace {

enum Column : size_t {
  kIdpel, kName, kTariff, kPowerVa, kRegion,
  kMeterNo, kSgc, kTi, kKrn, kKt, kEa, kDkga, kBaseDate, kKdpm,
  kModemMsisdn, kModemKeyId,
  kMsisdn, kLanguage, kPin,
};

bool all_digits(std::string_view s) { return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; }); }

bool digits(std::string_view s, size_t n) { return s.size() == n && all_digits(s); }

// International format without '+': country code 62, then 8 to 13 digits.
bool msisdn(std::string_view s) { return s.size() >= 10 && s.size() <= 15 && s.starts_with("62") && all_digits(s); }

bool printable(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max &&
         std::ranges::none_of(s, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool code(std::string_view s, size_t max, std::string_view extra) {
  return !s.empty() && s.size() <= max && std::ranges::all_of(s, [extra](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || extra.find(c) != extra.npos;
  });
}

std::optional<int64_t> integer(std::string_view s) {
  int64_t value = 0;
  if (s.empty() || s.size() > 12 || !all_digits(s)) return std::nullopt;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

bool integer_in(std::string_view s, int64_t low, int64_t high) {
  const auto value = integer(s);
  return value && *value >= low && *value <= high;
}

struct ColumnSpec {
  std::string_view name;
  std::string_view rule;  // completes "<name> must be ..."
  std::function<bool(std::string_view)> valid;
  bool secret = false;  // never echoed in messages
};

const std::array<ColumnSpec, SubscriberCsvParser::kColumns>& columns() {
  static const std::array<ColumnSpec, SubscriberCsvParser::kColumns> kColumnSpecs = {{
      {"idpel", "12 digits", [](auto s) { return digits(s, 12); }},
      {"name", "1 to 64 bytes of text", [](auto s) { return printable(s, 64); }},
      {"tariff", "1 to 8 letters, digits, '-' or '/'", [](auto s) { return code(s, 8, "-/"); }},
      {"power_va", "a whole number of VA from 1 to 999999999", [](auto s) { return integer_in(s, 1, 999999999); }},
      {"region", "1 to 16 letters, digits, '-' or '_'", [](auto s) { return code(s, 16, "-_"); }},
      {"meter_no", "11 digits", [](auto s) { return digits(s, 11); }},
      {"sgc", "6 digits", [](auto s) { return digits(s, 6); }},
      {"ti", "a tariff index from 0 to 99", [](auto s) { return s.size() <= 2 && integer_in(s, 0, 99); }},
      {"krn", "a key revision number from 1 to 9", [](auto s) { return digits(s, 1) && s != "0"; }},
      {"kt", "a key type from 0 to 3", [](auto s) { return digits(s, 1) && s[0] <= '3'; }},
      {"ea", "07, 09 or 11", [](auto s) { return s == "07" || s == "7" || s == "09" || s == "9" || s == "11"; }},
      {"dkga", "01, 02, 03 or 04", [](auto s) { return s.size() <= 2 && integer_in(s, 1, 4); }},
      {"base_date", "1993, 2014 or 2035", [](auto s) { return s == "1993" || s == "2014" || s == "2035"; }},
      {"kdpm", "1 to 8 letters or digits", [](auto s) { return code(s, 8, ""); }},
      {"modem_msisdn", "62 followed by 8 to 13 digits", msisdn},
      {"modem_key_id", "1 to 32 letters, digits, '.', '-' or '_'", [](auto s) { return code(s, 32, ".-_"); }},
      {"msisdn", "62 followed by 8 to 13 digits", msisdn},
      {"language", "id or en", [](auto s) { return s == "id" || s == "en"; }},
      {"pin", "6 digits", is_valid_pin, true},
  }};
  return kColumnSpecs;
}

std::string quoted_value(std::string_view value) {
  constexpr size_t kShown = 40;
  return value.size() <= kShown ? fmt::format("'{}'", value) : fmt::format("'{}...'", value.substr(0, kShown));
}

}  // namespace

Result<std::vector<std::string>> split_csv_line(std::string_view line) {
  std::vector<std::string> fields(1);
  size_t i = 0;
  bool at_field_start = true;
  while (i < line.size()) {
    const char c = line[i];
    if (at_field_start && c == '"') {
      // Quoted field: runs to the closing quote; "" is a literal quote.
      ++i;
      for (;;) {
        if (i >= line.size()) return Status::invalid_argument("a quoted field is not closed");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            fields.back().push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        fields.back().push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') return Status::invalid_argument("text after a closing quote");
      at_field_start = false;
      continue;
    }
    if (c == ',') {
      fields.emplace_back();
      at_field_start = true;
    } else {
      fields.back().push_back(c);
      at_field_start = false;
    }
    ++i;
  }
  return fields;
}

Status check_import_field(std::string_view column, std::string_view value) {
  const auto& specs = columns();
  const auto spec = std::ranges::find(specs, column, &ColumnSpec::name);
  if (spec == specs.end()) return Status::invalid_argument(fmt::format("{}: not a registry field", quoted_value(column)));
  if (spec->valid(value)) return Status::ok_status();
  return Status::invalid_argument(spec->secret ? fmt::format("{} must be {}", spec->name, spec->rule)
                                               : fmt::format("{} {} must be {}", spec->name, quoted_value(value), spec->rule));
}

const std::array<std::string_view, SubscriberCsvParser::kColumns>& SubscriberCsvParser::column_names() {
  static const auto kNames = [] {
    std::array<std::string_view, kColumns> names;
    std::ranges::transform(columns(), names.begin(), &ColumnSpec::name);
    return names;
  }();
  return kNames;
}

Result<SubscriberCsvParser> SubscriberCsvParser::from_header(std::string_view header, const PinHasher& pins) {
  if (header.ends_with('\r')) header.remove_suffix(1);
  auto fields = split_csv_line(header);
  if (!fields.ok()) return fields.status().with_context("line 1 (header)");
  constexpr size_t kAbsent = SIZE_MAX;
  std::array<size_t, kColumns> position;
  position.fill(kAbsent);
  std::vector<std::string> problems;
  for (size_t i = 0; i < fields->size(); ++i) {
    const std::string& name = (*fields)[i];
    const auto found = std::ranges::find(column_names(), name);
    if (found == column_names().end()) {
      problems.push_back(fmt::format("unknown column {}", quoted_value(name)));
    } else if (size_t& slot = position[static_cast<size_t>(found - column_names().begin())]; slot != kAbsent) {
      problems.push_back(fmt::format("column {} appears twice", name));
    } else {
      slot = i;
    }
  }
  for (size_t c = 0; c < kColumns; ++c) {
    if (position[c] == kAbsent) problems.push_back(fmt::format("column {} is missing", column_names()[c]));
  }
  if (!problems.empty()) {
    return Status::invalid_argument(fmt::format("line 1 (header): {}", fmt::join(problems, "; ")));
  }
  return SubscriberCsvParser(position, pins);
}

ImportLine SubscriberCsvParser::parse(uint64_t line_no, std::string_view text) const {
  ImportLine out{.line = line_no, .record = std::nullopt, .error = {}};
  if (text.ends_with('\r')) text.remove_suffix(1);
  auto fields = split_csv_line(text);
  if (!fields.ok()) {
    out.error = fields.status().message();
    return out;
  }
  const size_t expected = *std::ranges::max_element(position_) + 1;
  if (fields->size() != expected) {
    out.error = fmt::format("{} fields, but the header has {}", fields->size(), expected);
    return out;
  }
  std::array<std::string_view, kColumns> v;
  std::vector<std::string> problems;
  for (size_t c = 0; c < kColumns; ++c) {
    v[c] = (*fields)[position_[c]];
    const ColumnSpec& spec = columns()[c];
    if (!spec.valid(v[c])) {
      problems.push_back(spec.secret ? fmt::format("{} must be {}", spec.name, spec.rule)
                                     : fmt::format("{} {} must be {}", spec.name, quoted_value(v[c]), spec.rule));
    }
  }
  if (!problems.empty()) {
    out.error = fmt::format("{}", fmt::join(problems, "; "));
    return out;
  }
  auto pin_hash = pins_->hash(v[kMsisdn], v[kMeterNo], v[kPin]);
  if (!pin_hash.ok()) {
    out.error = pin_hash.status().message();
    return out;
  }
  out.record = SubscriberRecord{
      .customer = {.idpel = std::string(v[kIdpel]),
                   .name = std::string(v[kName]),
                   .tariff = std::string(v[kTariff]),
                   .power_va = *integer(v[kPowerVa]),
                   .region = std::string(v[kRegion])},
      .meter = {.meter_no = std::string(v[kMeterNo]),
                .idpel = std::string(v[kIdpel]),
                .sgc = std::string(v[kSgc]),
                .ti = *integer(v[kTi]),
                .krn = *integer(v[kKrn]),
                .kt = *integer(v[kKt]),
                .ea = *integer(v[kEa]),
                .dkga = *integer(v[kDkga]),
                .base_date = *integer(v[kBaseDate]),
                .kdpm = std::string(v[kKdpm]),
                .modem_msisdn = std::string(v[kModemMsisdn])},
      .modem = {.msisdn = std::string(v[kModemMsisdn]), .key_id = std::string(v[kModemKeyId])},
      .subscription = {.msisdn = std::string(v[kMsisdn]),
                       .meter_no = std::string(v[kMeterNo]),
                       .language = std::string(v[kLanguage]),
                       .pin_hash = *pin_hash},
  };
  return out;
}

Result<std::unique_ptr<SubscriberCsvFile>> SubscriberCsvFile::open(const std::string& path, const PinHasher& pins) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("{}: cannot open", path));
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(path, error);
  std::string header;
  if (!std::getline(in, header)) return Status::invalid_argument(fmt::format("{}: empty file; a header line is required", path));
  auto parser = SubscriberCsvParser::from_header(header, pins);
  if (!parser.ok()) return parser.status().with_context(path);
  return std::unique_ptr<SubscriberCsvFile>(
      new SubscriberCsvFile(std::move(in), *parser, error ? 0 : size, header.size() + 1));
}

bool SubscriberCsvFile::next(ImportLine& line) {
  while (std::getline(in_, text_)) {
    ++line_no_;
    bytes_read_ += text_.size() + 1;
    if (text_.empty() || text_ == "\r") continue;
    line = parser_.parse(line_no_, text_);
    return true;
  }
  return false;
}

}  // namespace pintar::store

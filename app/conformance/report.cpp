// The kit's two reports: readable text (one line per check, the failure's
// explanation under it, counts at the end) and JUnit XML for CI, one
// <testsuite> per contract section.

#include "conformance/kit.h"

#include <cstdio>
#include <map>
#include <sstream>

namespace sb::conformance {

namespace {

const char *word(Outcome o)
{
    switch (o) {
    case Outcome::Pass:
        return "PASS";
    case Outcome::Fail:
        return "FAIL";
    case Outcome::Skip:
        return "SKIP";
    }
    return "?";
}

std::string xml(const std::string &s)
{
    std::string out;
    for (char c : s) {
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
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
                out += ' ';
            else
                out += c;
        }
    }
    return out;
}

std::string seconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s);
    return buf;
}

} // namespace

std::string textReport(const std::vector<Result> &results, const Options &o)
{
    std::ostringstream out;
    out << "switchboard-conformance against " << o.target << "\n\n";
    int counts[3] = {};
    for (const auto &r : results) {
        ++counts[int(r.outcome)];
        out << word(r.outcome) << "  " << r.id;
        if (r.outcome != Outcome::Skip)
            out << "  (" << seconds(r.seconds) << " s)";
        out << "\n      " << r.rule << "\n";
        if (!r.message.empty())
            out << "      -> " << r.message << "\n";
    }
    out << "\n"
        << counts[int(Outcome::Pass)] << " passed, " << counts[int(Outcome::Fail)] << " failed, "
        << counts[int(Outcome::Skip)] << " skipped\n";
    return out.str();
}

std::string junitReport(const std::vector<Result> &results, const Options &o)
{
    std::map<std::string, std::vector<const Result *>> sections;
    std::vector<std::string> order;
    for (const auto &r : results) {
        const std::string s = r.id.substr(0, r.id.find('.'));
        if (!sections.count(s))
            order.push_back(s);
        sections[s].push_back(&r);
    }
    std::ostringstream out;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
           "name=\"switchboard-conformance\">\n";
    for (const auto &s : order) {
        int failures = 0, skipped = 0;
        double time = 0;
        for (const Result *r : sections[s]) {
            failures += r->outcome == Outcome::Fail;
            skipped += r->outcome == Outcome::Skip;
            time += r->seconds;
        }
        out << "  <testsuite name=\"" << xml(s) << "\" tests=\"" << sections[s].size()
            << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\" time=\""
            << seconds(time) << "\">\n";
        out << "    <properties><property name=\"target\" value=\"" << xml(o.target)
            << "\"/></properties>\n";
        for (const Result *r : sections[s]) {
            out << "    <testcase classname=\"switchboard.v1." << xml(s) << "\" name=\""
                << xml(r->id) << "\" time=\"" << seconds(r->seconds) << "\">";
            if (r->outcome == Outcome::Fail)
                out << "<failure message=\"" << xml(r->message) << "\">" << xml(r->rule)
                    << "</failure>";
            else if (r->outcome == Outcome::Skip)
                out << "<skipped message=\"" << xml(r->message) << "\"/>";
            out << "</testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
    return out.str();
}

} // namespace sb::conformance

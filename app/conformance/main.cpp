// switchboard-conformance: checks a service's implementation of switchboard.v1
// against every semantic the contract promises, prints a report and writes
// JUnit XML. Exit 0 when every selected check passed (skips allowed), 1 when
// one failed, 2 on a usage error or when the hard time limit cut the run.

#include "conformance/kit.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace {

using namespace sb::conformance;

int usage(const std::string &error = {})
{
    if (!error.empty())
        std::cerr << "switchboard-conformance: " << error << "\n\n";
    std::cerr
        << "usage: switchboard-conformance --target host:port --admin-token T --operator-token T\n"
           "         --viewer-token T [options]\n"
           "  tokens may come from SWITCHBOARD_CONFORMANCE_{ADMIN,OPERATOR,VIEWER}_TOKEN instead\n"
           "  --only IDS          run only these checks or sections (comma-separated, e.g.\n"
           "                      `etag,auth.parsing`)\n"
           "  --skip IDS          skip these checks or sections\n"
           "  --destructive       also run checks that toggle shared routing or start an\n"
           "                      experiment (never against production)\n"
           "  --junit PATH        write JUnit XML there\n"
           "  --time-limit S      hard limit for the whole run (default 300)\n"
           "  --call-timeout-ms N deadline of every unary call (default 5000)\n"
           "  --rounds N          rounds of each concurrent-writer race (default 40)\n"
           "  --list              list the checks and exit\n";
    return 2;
}

void splitInto(const std::string &s, std::vector<std::string> *out)
{
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const std::string part =
            s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty())
            out->push_back(part);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
}

bool parseInt(const std::string &s, int lo, int hi, int *out)
{
    char *end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || v < lo || v > hi)
        return false;
    *out = int(v);
    return true;
}

std::string env(const char *name)
{
    const char *v = std::getenv(name);
    return v ? v : "";
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    o.adminToken = env("SWITCHBOARD_CONFORMANCE_ADMIN_TOKEN");
    o.operatorToken = env("SWITCHBOARD_CONFORMANCE_OPERATOR_TOKEN");
    o.viewerToken = env("SWITCHBOARD_CONFORMANCE_VIEWER_TOKEN");
    bool list = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--destructive") {
            o.destructive = true;
            continue;
        }
        if (arg == "--list") {
            list = true;
            continue;
        }
        if (arg == "--help" || arg == "-h")
            return usage();
        if (i + 1 >= argc)
            return usage(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--target")
            o.target = value;
        else if (arg == "--admin-token")
            o.adminToken = value;
        else if (arg == "--operator-token")
            o.operatorToken = value;
        else if (arg == "--viewer-token")
            o.viewerToken = value;
        else if (arg == "--only")
            splitInto(value, &o.only);
        else if (arg == "--skip")
            splitInto(value, &o.skip);
        else if (arg == "--junit")
            o.junitPath = value;
        else if (arg == "--time-limit") {
            if (!parseInt(value, 1, 86400, &o.timeLimitS))
                return usage("--time-limit: expected 1..86400 seconds");
        } else if (arg == "--call-timeout-ms") {
            if (!parseInt(value, 10, 600000, &o.callTimeoutMs))
                return usage("--call-timeout-ms: expected 10..600000");
        } else if (arg == "--rounds") {
            if (!parseInt(value, 1, 10000, &o.rounds))
                return usage("--rounds: expected 1..10000");
        } else
            return usage("unknown option " + arg);
    }
    const auto checks = allChecks();
    if (list) {
        for (const auto &c : checks)
            std::cout << c.id << (c.destructive ? "  [destructive]" : "") << "\n    " << c.rule
                      << "\n";
        return 0;
    }
    if (o.target.empty())
        return usage("--target is required");
    if (o.adminToken.empty() || o.operatorToken.empty() || o.viewerToken.empty())
        return usage("all three tokens are required (admin, operator, viewer)");

    // Every call's deadline ends by the limit; this is the backstop for
    // anything else (a thread join), with a little grace for the report.
    std::thread([limit = o.timeLimitS] {
        std::this_thread::sleep_for(std::chrono::seconds(limit + 15));
        std::cerr << "switchboard-conformance: hard time limit of " << limit
                  << " s exceeded; giving up\n";
        _exit(2);
    }).detach();

    Kit kit(o);
    const auto results = runChecks(kit, checks);
    std::cout << textReport(results, o);
    if (!o.junitPath.empty()) {
        std::ofstream f(o.junitPath);
        f << junitReport(results, o);
        if (!f) {
            std::cerr << "switchboard-conformance: cannot write " << o.junitPath << "\n";
            return 2;
        }
    }
    for (const auto &r : results) {
        if (r.outcome == Outcome::Fail)
            return 1;
    }
    return 0;
}

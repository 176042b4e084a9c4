// switchboard-sim: serves the Switchboard contract over a simulated fleet.

#include "sim/sim_server.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <grpc/grpc.h>
#include <iostream>
#include <map>
#include <pthread.h>
#include <sstream>
#include <string>

namespace {

int usage(const char *msg)
{
    if (msg)
        std::cerr << "switchboard-sim: " << msg << "\n";
    std::cerr << "usage: switchboard-sim [--listen host:port] [--seed N] [--rate N] "
                 "[--tokens FILE]\n"
                 "                      [--tls-cert FILE --tls-key FILE [--client-ca FILE]]\n"
                 "  --listen host:port  address to serve on (default 127.0.0.1:50051; port 0 "
                 "picks a free one)\n"
                 "  --seed N            seed of the fleet, data and traffic (default 1)\n"
                 "  --rate N            latency samples per second, all routes (default 2000)\n"
                 "  --tokens FILE       bearer tokens: \"<token> <viewer|operator|admin> "
                 "[subject]\" per line\n"
                 "  --tls-cert FILE     serve TLS with this PEM certificate (chain)\n"
                 "  --tls-key FILE      the certificate's PEM private key\n"
                 "  --client-ca FILE    require client certificates signed by this CA (mTLS)\n";
    return 2;
}

bool parseUnsigned(const std::string &s, uint64_t *out)
{
    if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
        return false;
    try {
        *out = std::stoull(s);
    } catch (...) {
        return false;
    }
    return true;
}

bool readFile(const std::string &path, std::string *out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream text;
    text << in.rdbuf();
    *out = text.str();
    return !out->empty();
}

bool parseRate(const std::string &s, double *out)
{
    try {
        size_t used = 0;
        *out = std::stod(s, &used);
        return used == s.size() && *out >= 0 && *out <= 1e8;
    } catch (...) {
        return false;
    }
}

} // namespace

int main(int argc, char **argv)
{
    sb::sim::SimOptions options;
    options.listen = "127.0.0.1:50051";
    std::string tokensFile;
    std::map<std::string, std::string *> pemFlags = {{"--tls-cert", &options.tlsCertPem},
                                                     {"--tls-key", &options.tlsKeyPem},
                                                     {"--client-ca", &options.clientCaPem}};
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool hasValue = false;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
            hasValue = true;
        }
        if (arg == "--help" || arg == "-h") {
            usage(nullptr);
            return 0;
        }
        if (arg != "--listen" && arg != "--seed" && arg != "--rate" && arg != "--tokens" &&
            !pemFlags.count(arg))
            return usage(("unknown flag " + arg).c_str());
        if (!hasValue) {
            if (i + 1 >= argc)
                return usage((arg + " needs a value").c_str());
            value = argv[++i];
        }
        if (arg == "--listen") {
            const auto colon = value.rfind(':');
            uint64_t port = 0;
            if (colon == std::string::npos || colon == 0 ||
                !parseUnsigned(value.substr(colon + 1), &port) || port > 65535)
                return usage(("--listen: expected host:port, got '" + value + "'").c_str());
            options.listen = value;
        } else if (arg == "--seed") {
            if (!parseUnsigned(value, &options.seed))
                return usage(
                    ("--seed: expected a non-negative integer, got '" + value + "'").c_str());
        } else if (arg == "--rate") {
            if (!parseRate(value, &options.rate))
                return usage(
                    ("--rate: expected a number of samples/s in 0..1e8, got '" + value + "'")
                        .c_str());
        } else if (auto pem = pemFlags.find(arg); pem != pemFlags.end()) {
            if (!readFile(value, pem->second))
                return usage((arg + ": cannot read '" + value + "'").c_str());
        } else {
            tokensFile = value;
        }
    }
    if (!tokensFile.empty()) {
        std::string error;
        if (!sb::sim::loadTokensFile(tokensFile, &options.tokens, &error)) {
            std::cerr << "switchboard-sim: --tokens: " << error << "\n";
            return 2;
        }
    } else {
        std::cerr << "\n"
                     "*****************************************************************\n"
                     "* WARNING: switchboard-sim runs WITHOUT --tokens: the service    *\n"
                     "* is OPEN. Every caller is treated as ADMIN (actor 'anonymous'). *\n"
                     "* Pass --tokens FILE to require bearer tokens.                   *\n"
                     "*****************************************************************\n\n";
    }

    // Signals are taken by sigwait() below, not by whichever thread they hit.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Hold gRPC open past the server and shut it down blocking, so its
    // background cleanup never races the process's exit.
    grpc_init();
    int rc = 0;
    {
        sb::sim::SimServer server(options);
        std::string error;
        if (!server.start(&error)) {
            std::cerr << "switchboard-sim: " << error << "\n";
            rc = 1;
        } else {
            std::cout << "switchboard-sim listening on " << server.address()
                      << (options.tlsCertPem.empty()    ? ""
                          : options.clientCaPem.empty() ? " (TLS)"
                                                        : " (mTLS: client certificates required)")
                      << std::endl;
            int sig = 0;
            sigwait(&signals, &sig);
            std::cerr << "switchboard-sim: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                      << ", shutting down\n";
            server.shutdown();
        }
    }
    grpc_shutdown_blocking();
    return rc;
}

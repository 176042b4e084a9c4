// store_tests entry point. Besides running the tests, the binary is its own
// crash-test child: `store_tests --crash-child <file>` writes until killed.

#include "store_test_util.h"

#include <QCoreApplication>
#include <cstring>
#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc >= 3 && std::strcmp(argv[1], "--crash-child") == 0)
        return sb::test::runCrashChild(QString::fromLocal8Bit(argv[2]));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

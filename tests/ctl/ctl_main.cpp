#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "core/change.h"
#include "core/types.h"

#include <QCoreApplication>
#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    QCoreApplication app(argc, argv);
    qRegisterMetaType<sb::RoutingTable>();
    qRegisterMetaType<sb::Change>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}

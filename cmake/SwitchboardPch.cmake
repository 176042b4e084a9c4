# Precompiled headers for the targets whose files all pull in the same heavy
# headers: QCustomPlot and Qt Widgets in ui/, gRPC and protobuf in the client
# and sim, GoogleTest in the big test binaries. Measured on latency_chart.cpp:
# 14.7 s of CPU without, 6.2 s with (the header is 7,000 lines of QCustomPlot
# plus Qt Widgets). Only headers every file of the target already includes go
# in, so a file that forgets an include still fails the build with PCH off
# (-DSWITCHBOARD_PCH=OFF).
option(SWITCHBOARD_PCH "Precompiled headers for the heaviest targets" ON)

set(SB_PCH_UI <qcustomplot.h> <QtWidgets/QWidget> <QtCore/QObject> <QtCore/QString>)
set(SB_PCH_GRPC <grpcpp/grpcpp.h> <google/protobuf/message.h>)
set(SB_PCH_QTCORE <QtCore/QObject> <QtCore/QString> <QtCore/QByteArray> <QtCore/QDateTime>)
set(SB_PCH_GTEST <gtest/gtest.h>)

function(sb_pch target)
  if(SWITCHBOARD_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

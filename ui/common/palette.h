#pragma once

// The console's status colours, one place for all pages. Chosen to read on
// both Fusion's light and dark palettes.

#include <QColor>

namespace sb::palette {

inline QColor bad()
{
    return {0xd3, 0x2f, 0x2f};
}
inline QColor warn()
{
    return {0xe0, 0x8a, 0x00};
}
inline QColor good()
{
    return {0x2e, 0x7d, 0x32};
}
inline QColor muted()
{
    return {0x8a, 0x8a, 0x8a};
}
// Row backgrounds for trouble: translucent so text stays readable on either palette.
inline QColor badRow()
{
    return {0xd3, 0x2f, 0x2f, 60};
}
inline QColor warnRow()
{
    return {0xe0, 0x8a, 0x00, 50};
}
// Frame colours of a connection's environment.
inline QColor prod()
{
    return {0xc6, 0x28, 0x28};
}
inline QColor staging()
{
    return {0xe0, 0x8a, 0x00};
}
inline QColor dev()
{
    return {0x2e, 0x7d, 0x32};
}

} // namespace sb::palette

#pragma once

// Presenter mode (--presentation, or Ctrl+Shift+F5): large type for a room
// or a screen share, and privacy (ui/common/privacy.h) switched on. One mode
// for the whole application, as the font is.

namespace sb::presenter {

// The application font's scale while presenting.
inline constexpr double kScale = 1.6;

bool isOn();
// Scales the application font (and every widget that set its own size) by
// kScale, or restores them, and switches privacy masking on or off. The
// windows follow privacy::notifier()'s changed(). The first time on, it also
// masks, from then on while presenting, the logs (a Qt message handler in
// front of the previous one) and the clipboard (whatever is copied); exports
// mask their text through privacy::masked() themselves.
void setOn(bool on);
// kScale while presenting, else 1.
double scale();

} // namespace sb::presenter

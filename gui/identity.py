"""The app's names, in one place: Qt's application and organisation names (QSettings' file
``~/.config/BackpropPlayground/Backprop Playground.conf``), the id of the desktop entry, of the
icon and of the log folder. Pure constants: importing this loads no Qt."""

#: the desktop entry's file name (without .desktop), the icon's name, Wayland's app id
APP_ID = "backprop-playground"
#: QCoreApplication.organizationName(): the folder of the settings file
ORGANIZATION = "BackpropPlayground"
#: QCoreApplication.applicationName(): the name shown to people and the settings file's name
APPLICATION = "Backprop Playground"
#: the icon, under the shipped resources (model.files.bundled.resource)
ICON = ("icons", f"{APP_ID}.svg")
#: the desktop entry template, under the shipped resources
DESKTOP_TEMPLATE = (f"{APP_ID}.desktop",)

"""Files shipped with Backprop Playground: worked examples, the weights schema, the icon and
the desktop entry. Installed as the package ``model.resources``; read them through
``model.files.bundled.resource``, which also finds this folder in the source checkout."""

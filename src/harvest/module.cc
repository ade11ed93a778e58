// The harvest module (see docs/architecture.md). This file keeps the library non-empty until the
// module's first component lands.
namespace meabridge::harvest {
int ModuleAnchor() { return 0; }
}  // namespace meabridge::harvest

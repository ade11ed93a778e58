// The mapping module (see docs/architecture.md). This file keeps the library non-empty until the
// module's first component lands.
namespace meabridge::mapping {
int ModuleAnchor() { return 0; }
}  // namespace meabridge::mapping

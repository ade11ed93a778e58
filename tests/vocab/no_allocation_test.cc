// Country lookups allocate nothing: the fold writes into a stack buffer and the indexes are
// searched with string views. Counted by replacing the global operator new in this binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "system_vocabularies.h"
#include "vocab/vocabulary.h"

namespace {
thread_local bool g_counting = false;
thread_local size_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace meabridge::vocab {
namespace {

TEST(NoAllocationTest, CountryLookupsDoNotAllocate) {
  const Vocabulary& countries = testing::Vocab("countries");
  const char* inputs[] = {"FR",
                          "fra",
                          "004",
                          "Bolivia (Plurinational State of)5",
                          "Korea, Republic of",
                          "C\xC3\xB4te d\xE2\x80\x99Ivoire",
                          "Korea",
                          "Saint Vincent & the Grenadines",
                          "GBR*",
                          "Atlantis",
                          "\xE5\xBE\xB7\xE5\x9B\xBD"};
  size_t hits = 0;
  g_counting = true;
  for (const char* input : inputs) hits += countries.Lookup(input) != nullptr;
  g_counting = false;
  EXPECT_EQ(g_allocations, 0u);
  EXPECT_EQ(hits, 9u);
}

}  // namespace
}  // namespace meabridge::vocab

// Known answers: SHA-256 from FIPS 180-2 (appendix B), HMAC-SHA256 from RFC 4231 (test cases 1
// to 4, 6 and 7; case 5 is a truncated MAC of no use here), base64url from RFC 4648 section 10.
#include "core/crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace meabridge::core {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(CryptoTest, Sha256Fips180KnownAnswers) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, HmacSha256Rfc4231KnownAnswers) {
  struct Case {
    int number;
    std::string key;
    std::string data;
    std::string_view mac;
  };
  const std::string key131(131, '\xaa');
  const Case cases[] = {
      {1, std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2, "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, Unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {6, key131, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, key131,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Case& c : cases) EXPECT_EQ(Hex(HmacSha256(c.key, c.data)), c.mac) << c.number;
}

// SecretMatches is held by tests/daemon/web_admin_test.cc (the admin token check over it).
TEST(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd")) << "lengths differ";
}

TEST(CryptoTest, Base64UrlRfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(Base64UrlEncode(bytes), text);
    EXPECT_EQ(Base64UrlDecode(text).value_or("?"), bytes) << text;
  }
  // The URL alphabet: 62 and 63 are '-' and '_'.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_").value_or("?"), "\xfb\xff\xbf");
}

TEST(CryptoTest, Base64UrlDecodingIsStrict) {
  for (std::string_view bad : {
           "+/+/",    // the standard alphabet
           "Zg==",    // padding
           "Zm8=",    // padding
           "Z",       // no encoding has this length
           "Zm9vY",   // nor this one
           "Zh",      // bits after the last byte ("f" is "Zg")
           "Zm9",     // the same, after two bytes ("fo" is "Zm8")
           "Zm 9v",   // a space
           "Zm9v\n",  // a newline
       }) {
    EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
  }
}

TEST(CryptoTest, Base64UrlRoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)).value_or("?"), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
}

}  // namespace
}  // namespace meabridge::core

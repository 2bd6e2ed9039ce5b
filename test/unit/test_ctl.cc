// SPDX-License-Identifier: BSD-2-Clause
// lnsctl's two halves in lnsd: the output writer (one set of calls, rendered
// as aligned text for people or JSON for scripts) and the server (one
// request line per UNIX connection, bounded, never blocking; HTTP/1.0 for
// Prometheus). The server is polled from the test thread with a fake clock;
// clients are non-blocking sockets, so every wait is a bounded loop.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

extern "C" {
#include "ctl_out.h"
#include "ctl_server.h"
}

namespace
{

// ---- a strict JSON reader (RFC 8259), enough to check what ctl_out writes ----

struct Json {
	enum Kind { Null, Bool, Number, String, Array, Object };
	Kind kind = Null;
	std::string text;	       // String: decoded; Number and Bool: as written
	std::vector<std::string> keys; // Object: member names, in order
	std::vector<Json> items;       // Array: elements; Object: values, as keys

	const Json &at(const std::string &key) const
	{
		static const Json none;

		for (size_t i = 0; i < keys.size(); i++)
			if (keys[i] == key)
				return items[i];
		ADD_FAILURE() << "no member \"" << key << "\"";
		return none;
	}
	uint64_t u64() const
	{
		EXPECT_EQ(Number, kind) << text;
		return std::strtoull(text.c_str(), nullptr, 10);
	}
};

class JsonReader
{
      public:
	explicit JsonReader(const std::string &s) : s_(s)
	{
	}
	// The whole input is one value, whitespace around it allowed.
	bool read(Json *out, std::string *why)
	{
		*out = value(0);
		skip_ws();
		if (i_ != s_.size())
			fail("bytes after the value");
		if (!ok_)
			*why = why_ + " at offset " + std::to_string(where_) + ": \"" +
			       s_.substr(where_ > 40 ? where_ - 40 : 0, 80) + "\"";
		return ok_;
	}

      private:
	const std::string &s_;
	size_t i_ = 0, where_ = 0;
	bool ok_ = true;
	std::string why_;

	void fail(const char *why)
	{
		if (ok_) {
			ok_ = false;
			why_ = why;
			where_ = i_;
		}
	}
	char peek() const
	{
		return ok_ && i_ < s_.size() ? s_[i_] : '\0';
	}
	bool digit() const
	{
		return std::isdigit((unsigned char)peek()) != 0;
	}
	void skip_ws()
	{
		while (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')
			i_++;
	}
	bool literal(const char *word)
	{
		size_t n = strlen(word);

		if (s_.compare(i_, n, word) != 0)
			return false;
		i_ += n;
		return true;
	}

	Json value(int depth)
	{
		Json v;

		skip_ws();
		if (depth > 32)
			fail("too deep");
		else if (peek() == '{')
			object(&v, depth);
		else if (peek() == '[')
			array(&v, depth);
		else if (peek() == '"')
			v.kind = Json::String, v.text = string();
		else if (peek() == '-' || digit())
			number(&v);
		else if (literal("true") || literal("false"))
			v.kind = Json::Bool;
		else if (!literal("null"))
			fail("not a value");
		return v;
	}

	void object(Json *v, int depth)
	{
		v->kind = Json::Object;
		i_++;
		skip_ws();
		if (peek() == '}') {
			i_++;
			return;
		}
		while (ok_) {
			skip_ws();
			if (peek() != '"')
				return fail("member name expected");
			std::string key = string();
			for (const auto &seen : v->keys)
				if (seen == key)
					return fail("duplicate member");
			skip_ws();
			if (peek() != ':')
				return fail("':' expected");
			i_++;
			v->keys.push_back(key);
			v->items.push_back(value(depth + 1));
			skip_ws();
			if (peek() == '}') {
				i_++;
				return;
			}
			if (peek() != ',')
				return fail("',' or '}' expected");
			i_++;
		}
	}

	void array(Json *v, int depth)
	{
		v->kind = Json::Array;
		i_++;
		skip_ws();
		if (peek() == ']') {
			i_++;
			return;
		}
		while (ok_) {
			v->items.push_back(value(depth + 1));
			skip_ws();
			if (peek() == ']') {
				i_++;
				return;
			}
			if (peek() != ',')
				return fail("',' or ']' expected");
			i_++;
		}
	}

	std::string string()
	{
		std::string out;

		i_++; // the opening quote
		while (ok_) {
			if (i_ >= s_.size()) {
				fail("unterminated string");
				break;
			}
			unsigned char c = (unsigned char)s_[i_];
			if (c < 0x20) {
				fail("raw control byte in a string");
				break;
			}
			i_++;
			if (c == '"')
				break;
			if (c != '\\') {
				out += (char)c;
				continue;
			}
			char e = peek();
			i_++;
			switch (e) {
			case '"':
			case '\\':
			case '/':
				out += e;
				break;
			case 'b':
				out += '\b';
				break;
			case 'f':
				out += '\f';
				break;
			case 'n':
				out += '\n';
				break;
			case 'r':
				out += '\r';
				break;
			case 't':
				out += '\t';
				break;
			case 'u':
				out += code_point();
				break;
			default:
				fail("bad escape");
			}
		}
		return out;
	}

	// a \u escape (four hex digits) as UTF-8: ctl_out escapes only control bytes (below 0x20),
	// never a surrogate, so a lone \uD800-\uDFFF is encoded as it comes rather than paired
	std::string code_point()
	{
		unsigned cp = 0;
		std::string out;

		for (int k = 0; k < 4; k++, i_++) {
			if (!std::isxdigit((unsigned char)peek())) {
				fail("bad \\u escape");
				return out;
			}
			cp = cp * 16 + (unsigned)std::stoi(std::string(1, s_[i_]), nullptr, 16);
		}
		if (cp < 0x80) {
			out += (char)cp;
		} else if (cp < 0x800) {
			out += (char)(0xc0 | cp >> 6);
			out += (char)(0x80 | (cp & 0x3f));
		} else {
			out += (char)(0xe0 | cp >> 12);
			out += (char)(0x80 | ((cp >> 6) & 0x3f));
			out += (char)(0x80 | (cp & 0x3f));
		}
		return out;
	}

	void number(Json *v)
	{
		size_t start = i_;

		if (peek() == '-')
			i_++;
		if (peek() == '0')
			i_++;
		else if (digit())
			while (digit())
				i_++;
		else
			return fail("digit expected");
		if (peek() == '.') {
			i_++;
			if (!digit())
				return fail("digit expected after '.'");
			while (digit())
				i_++;
		}
		if (peek() == 'e' || peek() == 'E') {
			i_++;
			if (peek() == '+' || peek() == '-')
				i_++;
			if (!digit())
				return fail("digit expected in exponent");
			while (digit())
				i_++;
		}
		v->kind = Json::Number;
		v->text = s_.substr(start, i_ - start);
	}
};

bool
IsJson(const std::string &s)
{
	Json v;
	std::string why;

	return JsonReader(s).read(&v, &why);
}

Json
ParseJson(const std::string &s)
{
	Json v;
	std::string why;

	EXPECT_TRUE(JsonReader(s).read(&v, &why)) << why;
	return v;
}

// ---- ctl_out ----

std::string
Render(bool json, const std::function<void(ctl_out *)> &write)
{
	ctl_out o;

	ctl_out_init(&o, json);
	write(&o);
	ctl_out_finish(&o);
	std::string s = o.buf != nullptr ? std::string(o.buf, o.len) : std::string();
	ctl_out_free(&o);
	return s;
}

const ctl_col kTunnelCols[] = { { "tunnel", 6 }, { "peer", -10 }, { "sessions", 8 } };

// What a "show" command writes: a table, then a section.
void
WriteTunnelsAndStats(ctl_out *o)
{
	ctl_table_begin(o, "tunnels", kTunnelCols, 3);
	ctl_cell_u64(o, 1);
	ctl_cell_str(o, "10.0.0.1");
	ctl_cell_u64(o, 3);
	ctl_cell_u64(o, 22);
	ctl_cell_str(o, "lac-b");
	ctl_cell_u64(o, 0);
	ctl_table_end(o);
	ctl_section_begin(o, "stats");
	ctl_kv_u64(o, "tunnels", 2);
	ctl_kv_str(o, "state", "running");
	ctl_section_end(o);
}

} // namespace

TEST(JsonReader, RejectsWhatIsNotJson)
{
	// The ctl_out tests lean on this reader: it must say no.
	EXPECT_TRUE(IsJson("{\"a\":[1,-2.5e3,\"x\",true,null,{}]}\n"));
	EXPECT_FALSE(IsJson("{\"a\":1,}"));
	EXPECT_FALSE(IsJson("{\"a\":1 \"b\":2}"));
	EXPECT_FALSE(IsJson("[1,]"));
	EXPECT_FALSE(IsJson("{a:1}"));
	EXPECT_FALSE(IsJson("{\"a\":01}"));
	EXPECT_FALSE(IsJson("{\"a\":\"x\ny\"}"));
	EXPECT_FALSE(IsJson("{\"a\":\"\\x\"}"));
	EXPECT_FALSE(IsJson("{\"a\":1,\"a\":2}"));
	EXPECT_FALSE(IsJson("{\"a\":1}}"));
	EXPECT_FALSE(IsJson("{\"a\":[1}"));
	EXPECT_FALSE(IsJson("{\"a\":1"));
	EXPECT_FALSE(IsJson(""));
}

TEST(CtlOut, TextTableAlignsRightOrLeftByTheSignOfWidthAndSectionPadsKeys)
{
	EXPECT_EQ("tunnel peer       sessions\n"
		  "     1 10.0.0.1          3\n"
		  "    22 lac-b             0\n"
		  "stats:\n"
		  "  tunnels                      2\n"
		  "  state                        running\n",
		  Render(false, WriteTunnelsAndStats));
}

TEST(CtlOut, JsonFromTheSameCallsHasNumbersUnquotedAndStringsQuoted)
{
	std::string s = Render(true, WriteTunnelsAndStats);

	EXPECT_EQ("{\"tunnels\":[{\"tunnel\":1,\"peer\":\"10.0.0.1\",\"sessions\":3},"
		  "{\"tunnel\":22,\"peer\":\"lac-b\",\"sessions\":0}],"
		  "\"stats\":{\"tunnels\":2,\"state\":\"running\"}}\n",
		  s);
	Json d = ParseJson(s);
	ASSERT_EQ(Json::Object, d.kind);
	EXPECT_EQ((std::vector<std::string>{ "tunnels", "stats" }), d.keys);
	const Json &t = d.at("tunnels");
	ASSERT_EQ(Json::Array, t.kind);
	ASSERT_EQ(2u, t.items.size());
	EXPECT_EQ(22u, t.items[1].at("tunnel").u64());
	EXPECT_EQ(Json::String, t.items[1].at("peer").kind);
	EXPECT_EQ("lac-b", t.items[1].at("peer").text);
	EXPECT_EQ(2u, d.at("stats").at("tunnels").u64());
	EXPECT_EQ(Json::String, d.at("stats").at("state").kind);
}

TEST(CtlOut, JsonEscapesQuotesBackslashesNewlinesAndControlBytes)
{
	const std::string nasty = "a\"b\\c\nd\te\x01"
				  "f\x1f"
				  "g\x7f/\xc3\xa9";
	static const ctl_col cols[] = { { "we\"ird", 4 } };
	std::string s = Render(true, [&](ctl_out *o) {
		ctl_section_begin(o, "s\"ec");
		ctl_kv_str(o, "k\\ey", nasty.c_str());
		ctl_section_end(o);
		ctl_table_begin(o, "t\n", cols, 1);
		ctl_cell_str(o, nasty.c_str());
		ctl_table_end(o);
	});

	const std::string escaped = "\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001f\\u001fg\x7f/\xc3\xa9\"";
	EXPECT_EQ("{\"s\\\"ec\":{\"k\\\\ey\":" + escaped +
			  "},\"t\\u000a\":[{\"we\\\"ird\":" + escaped + "}]}\n",
		  s);
	Json d = ParseJson(s);
	EXPECT_EQ(nasty, d.at("s\"ec").at("k\\ey").text);
	EXPECT_EQ(nasty, d.at("t\n").items.at(0).at("we\"ird").text);
}

TEST(CtlOut, EmptyTableIsAnEmptyArrayAndEmptySectionAnEmptyObject)
{
	auto write = [](ctl_out *o) {
		ctl_table_begin(o, "t", kTunnelCols, 3);
		ctl_table_end(o);
		ctl_section_begin(o, "s");
		ctl_section_end(o);
	};

	EXPECT_EQ("{\"t\":[],\"s\":{}}\n", Render(true, write));
	EXPECT_EQ("tunnel peer       sessions\ns:\n", Render(false, write));
	EXPECT_EQ("{}\n", Render(true, [](ctl_out *) {}));
	EXPECT_EQ("", Render(false, [](ctl_out *) {}));
}

TEST(CtlOut, SeveralTablesAndSectionsAreSeparatedByCommas)
{
	static const ctl_col one[] = { { "a", 1 } };
	std::string s = Render(true, [](ctl_out *o) {
		ctl_section_begin(o, "s1");
		ctl_kv_u64(o, "x", 1);
		ctl_kv_u64(o, "y", 2);
		ctl_section_end(o);
		ctl_table_begin(o, "t1", one, 1);
		ctl_cell_u64(o, 1);
		ctl_cell_u64(o, 2);
		ctl_table_end(o);
		ctl_section_begin(o, "s2");
		ctl_section_end(o);
		ctl_table_begin(o, "t2", one, 1);
		ctl_table_end(o);
		ctl_section_begin(o, "s3");
		ctl_kv_str(o, "z", "w");
		ctl_section_end(o);
	});

	EXPECT_EQ("{\"s1\":{\"x\":1,\"y\":2},\"t1\":[{\"a\":1},{\"a\":2}],\"s2\":{},\"t2\":[],"
		  "\"s3\":{\"z\":\"w\"}}\n",
		  s);
	EXPECT_EQ((std::vector<std::string>{ "s1", "t1", "s2", "t2", "s3" }), ParseJson(s).keys);
}

TEST(CtlOut, CellsBeyondTheLastColumnWrapToTheNextRow)
{
	static const ctl_col two[] = { { "a", 2 }, { "b", -2 } };
	auto write = [](ctl_out *o) {
		ctl_table_begin(o, "t", two, 2);
		for (int i = 1; i <= 6; i++)
			ctl_cell_u64(o, (uint64_t)i);
		ctl_table_end(o);
	};

	EXPECT_EQ(" a b \n 1 2 \n 3 4 \n 5 6 \n", Render(false, write));
	std::string s = Render(true, write);
	EXPECT_EQ("{\"t\":[{\"a\":1,\"b\":2},{\"a\":3,\"b\":4},{\"a\":5,\"b\":6}]}\n", s);
	EXPECT_EQ(3u, ParseJson(s).at("t").items.size());
}

TEST(CtlOut, CellsWithoutATableDoNothing)
{
	auto write = [](ctl_out *o) {
		ctl_cell_str(o, "before");
		ctl_cell_u64(o, 1);
		ctl_section_begin(o, "s");
		ctl_cell_str(o, "inside a section");
		ctl_section_end(o);
		ctl_table_begin(o, "t", kTunnelCols, 3);
		ctl_table_end(o);
		ctl_cell_str(o, "after");
		ctl_cell_u64(o, 2);
	};

	EXPECT_EQ("{\"s\":{},\"t\":[]}\n", Render(true, write));
	EXPECT_EQ("s:\ntunnel peer       sessions\n", Render(false, write));
}

TEST(CtlOut, TextIsIgnoredInJsonAndVerbatimInText)
{
	auto write = [](ctl_out *o) {
		ctl_text(o, "hello %s %d\n", "world", 42);
		ctl_section_begin(o, "s");
		ctl_kv_u64(o, "n", 7);
		ctl_text(o, "{not json\n");
		ctl_section_end(o);
	};

	EXPECT_EQ("{\"s\":{\"n\":7}}\n", Render(true, write));
	EXPECT_EQ("hello world 42\ns:\n  n                            7\n{not json\n",
		  Render(false, write));
}

TEST(CtlOut, FinishClosesWhatIsLeftOpen)
{
	static const ctl_col two[] = { { "a", 1 }, { "b", 1 } };

	// a table left unended after whole rows
	EXPECT_EQ("{\"t\":[{\"a\":1,\"b\":2}]}\n", Render(true, [](ctl_out *o) {
			  ctl_table_begin(o, "t", two, 2);
			  ctl_cell_u64(o, 1);
			  ctl_cell_u64(o, 2);
		  }));
	// ... and in the middle of a row
	std::string s = Render(true, [](ctl_out *o) {
		ctl_table_begin(o, "t", two, 2);
		ctl_cell_u64(o, 1);
		ctl_cell_u64(o, 2);
		ctl_cell_u64(o, 3);
	});
	EXPECT_EQ("{\"t\":[{\"a\":1,\"b\":2},{\"a\":3}]}\n", s);
	EXPECT_TRUE(IsJson(s));
	// a section left open, and one with a table open inside it
	EXPECT_EQ("{\"s\":{\"k\":\"v\"}}\n", Render(true, [](ctl_out *o) {
			  ctl_section_begin(o, "s");
			  ctl_kv_str(o, "k", "v");
		  }));
	s = Render(true, [](ctl_out *o) {
		ctl_section_begin(o, "s");
		ctl_table_begin(o, "t", two, 2);
		ctl_cell_str(o, "x");
	});
	EXPECT_EQ("{\"s\":{\"t\":[{\"a\":\"x\"}]}}\n", s);
	EXPECT_TRUE(IsJson(s));
}

// Found by this test (fixed): ending a table in the middle of a row closed
// only the row's object, not the table's array ({"t":[{"a":1},"s":{"x":1}]}),
// and in text glued the next line to the short row.
TEST(CtlOut, TableEndedInTheMiddleOfARowStillRendersCleanly)
{
	static const ctl_col two[] = { { "a", 1 }, { "b", 1 } };
	auto write = [](ctl_out *o) {
		ctl_table_begin(o, "t", two, 2);
		ctl_cell_u64(o, 1);
		ctl_table_end(o);
		ctl_section_begin(o, "s");
		ctl_kv_u64(o, "x", 1);
		ctl_section_end(o);
	};
	std::string s = Render(true, write);

	EXPECT_TRUE(IsJson(s)) << s;
	EXPECT_EQ("{\"t\":[{\"a\":1}],\"s\":{\"x\":1}}\n", s);
	EXPECT_EQ("a b\n1\ns:\n  x                            1\n", Render(false, write));
}

TEST(CtlOut, HundredThousandRowsGrowTheBufferAndStayCorrect)
{
	static const ctl_col cols[] = { { "n", 8 }, { "name", -12 } };
	const unsigned rows = 100000;
	auto write = [&](ctl_out *o) {
		char name[32];

		ctl_table_begin(o, "big", cols, 2);
		for (unsigned i = 0; i < rows; i++) {
			snprintf(name, sizeof(name), "user-%u", i);
			ctl_cell_u64(o, i);
			ctl_cell_str(o, name);
		}
		ctl_table_end(o);
	};

	// text: every line is 8 + 1 + 12 + 1 bytes, the header's too
	std::string text = Render(false, write);
	EXPECT_EQ(22u * (rows + 1), text.size());
	EXPECT_EQ("       n name        \n", text.substr(0, 22));
	EXPECT_EQ("   99999 user-99999  \n", text.substr(text.size() - 22));

	std::string s = Render(true, write);
	const std::string last = "{\"n\":99999,\"name\":\"user-99999\"}]}\n";
	ASSERT_GT(s.size(), last.size());
	EXPECT_EQ(last, s.substr(s.size() - last.size()));
	Json d = ParseJson(s);
	const Json &big = d.at("big");
	ASSERT_EQ(rows, big.items.size());
	EXPECT_EQ(0u, big.items[0].at("n").u64());
	EXPECT_EQ(99999u, big.items[rows - 1].at("n").u64());
	EXPECT_EQ("user-99999", big.items[rows - 1].at("name").text);
}

// ---- ctl_server ----

namespace
{

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(10);

// A server with a recording handler; clients are non-blocking sockets, and
// every wait for them pumps ctl_server_poll at the fake time `now`.
class ServerTest : public ::testing::Test
{
      protected:
	ctl_server *srv = nullptr;
	uint64_t now = 1000000;
	sockaddr_storage addr{};
	socklen_t addr_len = 0;
	std::vector<int> fds; // closed in TearDown

	struct Call {
		std::vector<std::string> argv;
		bool json;
	};
	std::vector<Call> calls;
	// How the handler answers; by default "fail" fails and the rest say hello.
	std::function<int(int, char **, ctl_out *)> answer = [](int, char **argv, ctl_out *o) {
		if (strcmp(argv[0], "fail") == 0) {
			ctl_text(o, "no such thing\n");
			return -1;
		}
		ctl_text(o, "hello\n");
		return 0;
	};

	static int Handler(void *ctx, int argc, char **argv, ctl_out *out)
	{
		auto *t = static_cast<ServerTest *>(ctx);

		t->calls.push_back({ std::vector<std::string>(argv, argv + argc), out->json });
		return t->answer(argc, argv, out);
	}

	void TearDown() override
	{
		for (int fd : fds)
			close(fd);
		ctl_server_close(srv);
	}

	unsigned Poll()
	{
		return ctl_server_poll(srv, now);
	}
	// Polls the server n times, letting loopback traffic through in between.
	void PollSome(int n = 20)
	{
		for (int i = 0; i < n; i++) {
			Poll();
			::poll(nullptr, 0, 1);
		}
	}

	// Connects (a listening socket completes it without accept), then non-blocking.
	int Connect()
	{
		int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		EXPECT_GE(fd, 0);
		EXPECT_EQ(0, connect(fd, (sockaddr *)&addr, addr_len)) << strerror(errno);
		EXPECT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
		fds.push_back(fd);
		return fd;
	}
	void Close(int fd)
	{
		close(fd);
		fds.erase(std::find(fds.begin(), fds.end(), fd));
	}
	void Send(int fd, const std::string &s)
	{
		size_t off = 0;
		auto until = Clock::now() + kDeadline;

		while (off < s.size() && Clock::now() < until) {
			ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else
				Poll();
		}
		EXPECT_EQ(s.size(), off) << "could not send";
	}
	// What the client can read right now; *eof once the server has closed.
	std::string ReadNow(int fd, bool *eof)
	{
		std::string got;
		char buf[4096];
		ssize_t n;

		*eof = false;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			got.append(buf, (size_t)n);
		if (n == 0)
			*eof = true;
		else
			EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << strerror(errno);
		return got;
	}
	// Everything until the server closes, read at most `chunk` bytes per poll.
	// A reset ends it too when `reset` is given, and says so there.
	std::string ReadToEof(int fd, size_t chunk = 65536, bool *reset = nullptr)
	{
		std::string got;
		std::vector<char> buf(chunk);
		auto until = Clock::now() + kDeadline;

		while (Clock::now() < until) {
			Poll();
			ssize_t n = recv(fd, buf.data(), chunk, 0);
			if (n == 0)
				return got;
			if (n > 0) {
				got.append(buf.data(), (size_t)n);
				continue;
			}
			if (errno == ECONNRESET && reset != nullptr) {
				*reset = true;
				return got;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				ADD_FAILURE() << "recv: " << strerror(errno);
				return got;
			}
			pollfd p = { fd, POLLIN, 0 };
			::poll(&p, 1, 1);
		}
		ADD_FAILURE() << "no EOF within the deadline; got " << got.size() << " bytes";
		return got;
	}
	// One request on a new connection; the whole answer.
	std::string Ask(const std::string &request, bool *reset = nullptr)
	{
		int fd = Connect();
		Send(fd, request);
		std::string got = ReadToEof(fd, 65536, reset);
		Close(fd);
		return got;
	}
};

class CtlServer : public ServerTest
{
      protected:
	char dir[64] = "/tmp/test_ctl.XXXXXX"; /* mkdtemp template */
	std::string path;

	void SetUp() override
	{
		ASSERT_NE(nullptr, mkdtemp(dir)) << strerror(errno);
		path = std::string(dir) + "/lnsd.sock";
		auto *sa = reinterpret_cast<sockaddr_un *>(&addr);
		sa->sun_family = AF_UNIX;
		snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path.c_str());
		addr_len = sizeof(*sa);
		srv = ctl_server_open(path.c_str(), Handler, this);
		ASSERT_NE(nullptr, srv) << strerror(errno);
	}
	void TearDown() override
	{
		ServerTest::TearDown();
		srv = nullptr;
		unlink(path.c_str());
		EXPECT_EQ(0, rmdir(dir)) << "left behind in " << dir << ": " << strerror(errno);
	}
};

// Sets a signal's disposition for a scope.
struct SignalDisposition {
	int sig;
	struct sigaction old;
	SignalDisposition(int s, void (*handler)(int)) : sig(s)
	{
		struct sigaction sa = {};
		sa.sa_handler = handler;
		sigaction(sig, &sa, &old);
	}
	~SignalDisposition()
	{
		sigaction(sig, &old, nullptr);
	}
};

} // namespace

TEST_F(CtlServer, CommandGetsOkThenTheBodyThenEof)
{
	EXPECT_EQ("ok\nhello\n", Ask("show tunnels\n"));
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ((std::vector<std::string>{ "show", "tunnels" }), calls[0].argv);
	EXPECT_FALSE(calls[0].json);
	EXPECT_EQ(0u, Poll()) << "the connection is closed once answered";
}

TEST_F(CtlServer, JsonPrefixMakesTheHandlersOutputJsonAndIsNotAnArgument)
{
	answer = [](int argc, char **, ctl_out *o) {
		ctl_section_begin(o, "reply");
		ctl_kv_u64(o, "argc", (uint64_t)argc);
		ctl_section_end(o);
		return 0;
	};

	std::string got = Ask("json show stats\n");
	EXPECT_EQ("ok\n{\"reply\":{\"argc\":2}}\n", got);
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ((std::vector<std::string>{ "show", "stats" }), calls[0].argv);
	EXPECT_TRUE(calls[0].json);
	EXPECT_TRUE(IsJson(got.substr(3)));
	// only a leading "json" is the prefix
	Ask("show json\n");
	EXPECT_EQ((std::vector<std::string>{ "show", "json" }), calls[1].argv);
	EXPECT_FALSE(calls[1].json);
}

TEST_F(CtlServer, FailingCommandGetsErrorThenTheHandlersMessage)
{
	EXPECT_EQ("error\nno such thing\n", Ask("fail now\n"));
	EXPECT_EQ(1u, calls.size());
}

TEST_F(CtlServer, WordsSplitOnSpacesTabsAndCarriageReturns)
{
	Ask("  a\tb  \t c\t\td \r\n");
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ((std::vector<std::string>{ "a", "b", "c", "d" }), calls[0].argv);
}

TEST_F(CtlServer, AtMostCtlMaxArgsWordsReachTheHandler)
{
	std::string line, json_line = "json";
	std::vector<std::string> first;

	for (int i = 0; i < CTL_MAX_ARGS + 4; i++) {
		line += (i ? " w" : "w") + std::to_string(i);
		json_line += " w" + std::to_string(i);
		if (i < CTL_MAX_ARGS)
			first.push_back("w" + std::to_string(i));
	}
	Ask(line + "\n");
	Ask(json_line + "\n");
	ASSERT_EQ(2u, calls.size());
	EXPECT_EQ(first, calls[0].argv);
	EXPECT_EQ(first, calls[1].argv) << "the prefix does not take an argument's place";
}

TEST_F(CtlServer, EmptyLineIsAnErrorWithoutCallingTheHandler)
{
	EXPECT_EQ("error\nempty command\n", Ask("\n"));
	EXPECT_EQ("error\nempty command\n", Ask(" \t \r\n"));
	EXPECT_TRUE(calls.empty());
}

// Found by this test (fixed): a line that is only "json" got "error\n{}\n"
// and no message; errors are text.
TEST_F(CtlServer, JsonPrefixAloneIsAnEmptyCommandInText)
{
	EXPECT_EQ("error\nempty command\n", Ask("json\n"));
	EXPECT_TRUE(calls.empty());
}

// The server closes with the rest of the line unread, so the client may see
// a reset (ECONNRESET) where it would see EOF, after the whole answer.
TEST_F(CtlServer, LineOf2048BytesWithoutNewlineIsTooLong)
{
	bool reset = false;

	EXPECT_EQ("error\ncommand line too long\n", Ask(std::string(2048, 'x'), &reset));
	EXPECT_EQ("error\ncommand line too long\n", Ask(std::string(5000, 'x') + "\n", &reset));
	EXPECT_TRUE(calls.empty());
	EXPECT_EQ(0u, Poll());
}

TEST_F(CtlServer, LongestRequestIs2047BytesWithItsNewline)
{
	bool reset = false;

	EXPECT_EQ("ok\nhello\n", Ask(std::string(2046, 'x') + "\n"));
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ(2046u, calls[0].argv.at(0).size());
	EXPECT_EQ("error\ncommand line too long\n", Ask(std::string(2047, 'x') + "\n", &reset));
	EXPECT_EQ(1u, calls.size());
}

TEST_F(CtlServer, RequestInSeveralWritesIsAssembled)
{
	int fd = Connect();
	bool eof;

	for (const char *part : { "sh", "ow tun", "nels" }) {
		Send(fd, part);
		PollSome(3);
		EXPECT_EQ("", ReadNow(fd, &eof)) << "answered after \"" << part << "\"";
		EXPECT_FALSE(eof);
	}
	EXPECT_TRUE(calls.empty());
	Send(fd, "\n");
	EXPECT_EQ("ok\nhello\n", ReadToEof(fd));
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ((std::vector<std::string>{ "show", "tunnels" }), calls[0].argv);
}

TEST_F(CtlServer, NinthSimultaneousConnectionIsTurnedAwayBusy)
{
	std::vector<int> held;
	bool eof;

	for (int i = 0; i < 8; i++)
		held.push_back(Connect());
	EXPECT_EQ(8u, Poll());

	int ninth = Connect();
	EXPECT_EQ(8u, Poll());
	EXPECT_EQ("error\nbusy: too many lnsctl connections\n", ReadNow(ninth, &eof));
	EXPECT_TRUE(eof) << "turned away at once";
	EXPECT_TRUE(calls.empty());

	// the eight are still served, and a freed slot takes a new connection
	Send(held[3], "x\n");
	EXPECT_EQ("ok\nhello\n", ReadToEof(held[3]));
	EXPECT_EQ(7u, Poll());
	EXPECT_EQ("ok\nhello\n", Ask("y\n"));
}

TEST_F(CtlServer, SilentConnectionIsClosedAfterFiveSeconds)
{
	int silent = Connect(), partial = Connect();
	bool eof;

	EXPECT_EQ(2u, Poll());
	Send(partial, "show tunn");
	now += 4999;
	EXPECT_EQ(2u, Poll());
	EXPECT_EQ("", ReadNow(silent, &eof));
	EXPECT_FALSE(eof) << "closed before 5 s";
	EXPECT_EQ("", ReadNow(partial, &eof));
	EXPECT_FALSE(eof) << "closed before 5 s";

	now += 1;
	Poll();
	EXPECT_EQ("", ReadNow(silent, &eof));
	EXPECT_TRUE(eof);
	EXPECT_EQ("", ReadNow(partial, &eof));
	EXPECT_TRUE(eof) << "an unfinished line is no reprieve";
	EXPECT_EQ(0u, Poll());
	EXPECT_TRUE(calls.empty());
}

TEST_F(CtlServer, LineCompletedJustBeforeFiveSecondsIsAnswered)
{
	int fd = Connect();

	Poll();
	Send(fd, "show");
	now += 4999;
	Poll();
	Send(fd, "\n");
	now += 1;
	EXPECT_EQ("ok\nhello\n", ReadToEof(fd));
}

// With SIGPIPE ignored, a client gone early is simply dropped and the server
// serves the next one (and with SIGPIPE's default action, see the next test).
TEST_F(CtlServer, ClientGoneBeforeTheAnswerIsDroppedOnceSigpipeIsIgnored)
{
	SignalDisposition ignore(SIGPIPE, SIG_IGN);

	int fd = Connect(); // gone before it says anything
	Poll();
	Close(fd);
	Poll();
	EXPECT_EQ(0u, Poll());

	fd = Connect(); // gone before the answer
	Send(fd, "x\n");
	Close(fd);
	PollSome(3);
	EXPECT_EQ(0u, Poll());
	EXPECT_EQ(1u, calls.size());

	answer = [](int, char **, ctl_out *o) { // gone in the middle of a long answer
		for (int i = 0; i < 100000; i++)
			ctl_text(o, "%015d\n", i);
		return 0;
	};
	fd = Connect();
	Send(fd, "big\n");
	Poll();
	char buf[1000];
	EXPECT_EQ(1000, recv(fd, buf, sizeof(buf), 0));
	Close(fd);
	PollSome(3);
	EXPECT_EQ(0u, Poll());

	answer = [](int, char **, ctl_out *o) {
		ctl_text(o, "still here\n");
		return 0;
	};
	EXPECT_EQ("ok\nstill here\n", Ask("x\n"));
}

// Found by this test (fixed): the answer and the busy message went out with
// write(), so a client that disconnected before its answer (or a ninth one
// that gave up) killed the process with SIGPIPE. Now send(MSG_NOSIGNAL).
TEST_F(CtlServer, ClientGoneBeforeTheAnswerDoesNotKillTheProcess)
{
	auto gone_before_answer = [this] {
		signal(SIGPIPE, SIG_DFL);
		int fd = Connect();
		Send(fd, "x\n");
		Close(fd);
		for (int i = 0; i < 5; i++)
			Poll();
		_exit(Ask("x\n") == "ok\nhello\n" ? 0 : 1);
	};
	EXPECT_EXIT(gone_before_answer(), ::testing::ExitedWithCode(0), "");

	auto ninth_gone_before_accept = [this] {
		signal(SIGPIPE, SIG_DFL);
		for (int i = 0; i < 8; i++)
			Connect();
		Poll();
		Close(Connect());
		for (int i = 0; i < 5; i++)
			Poll();
		_exit(0);
	};
	EXPECT_EXIT(ninth_gone_before_accept(), ::testing::ExitedWithCode(0), "");
}

TEST_F(CtlServer, MegabyteAnswerReachesASlowReaderWhole)
{
	const int lines = 65536; // 16 bytes each: 1 MiB
	answer = [&](int, char **, ctl_out *o) {
		for (int i = 0; i < lines; i++)
			ctl_text(o, "%015d\n", i);
		return 0;
	};

	int fd = Connect();
	Send(fd, "big\n");
	std::string got = ReadToEof(fd, 4096);
	ASSERT_EQ(3u + 16u * lines, got.size());
	EXPECT_EQ("ok\n000000000000000\n", got.substr(0, 19));
	EXPECT_EQ("000000000065535\n", got.substr(got.size() - 16));
	for (int i = 0; i < lines; i += 4099) {
		char want[17];
		snprintf(want, sizeof(want), "%015d\n", i);
		ASSERT_EQ(want, got.substr(3 + 16 * (size_t)i, 16)) << "line " << i;
	}
	EXPECT_EQ(0u, Poll());
}

TEST_F(CtlServer, StaleSocketFileIsReplaced)
{
	ctl_server_close(srv);
	srv = nullptr;

	// a socket file left by a process that is gone
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(stale, (sockaddr *)&addr, addr_len)) << strerror(errno);
	close(stale);
	struct stat st;
	ASSERT_EQ(0, stat(path.c_str(), &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));

	srv = ctl_server_open(path.c_str(), Handler, this);
	ASSERT_NE(nullptr, srv) << strerror(errno);
	EXPECT_EQ("ok\nhello\n", Ask("x\n"));
}

TEST_F(CtlServer, SocketIsGroupOnlyAndCloseRemovesIt)
{
	struct stat st;

	ASSERT_EQ(0, stat(path.c_str(), &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0660u, st.st_mode & 0777);
	ctl_server_close(srv);
	srv = nullptr;
	EXPECT_EQ(-1, stat(path.c_str(), &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(CtlServer, PathTooLongIsEnametoolong)
{
	// sun_path holds 107 bytes and the NUL
	std::string longest = path + "." + std::string(107 - path.size() - 1, 'x');
	ASSERT_EQ(107u, longest.size());
	ctl_server *s = ctl_server_open(longest.c_str(), Handler, this);
	EXPECT_NE(nullptr, s) << strerror(errno);
	ctl_server_close(s);

	errno = 0;
	EXPECT_EQ(nullptr, ctl_server_open((longest + "x").c_str(), Handler, this));
	EXPECT_EQ(ENAMETOOLONG, errno);
	errno = 0;
	EXPECT_EQ(nullptr, ctl_server_open(std::string(300, 'x').c_str(), Handler, this));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

// ---- HTTP mode, for Prometheus ----

namespace
{

class CtlHttp : public ServerTest
{
      protected:
	void SetUp() override
	{
		answer = [](int argc, char **argv, ctl_out *o) {
			if (argc >= 2 && strcmp(argv[0], "GET") == 0 &&
			    strcmp(argv[1], "/metrics") == 0) {
				ctl_text(o, "# TYPE lnsd_tunnels gauge\nlnsd_tunnels 3\n");
				return 0;
			}
			ctl_text(o, "not found: %s\n", argc >= 2 ? argv[1] : "");
			return -1;
		};
		// a free port: bind one on 127.0.0.1, note it, let it go
		for (int tries = 0; tries < 5 && srv == nullptr; tries++) {
			uint16_t port = FreePort();
			ASSERT_NE(0, port);
			srv = ctl_server_open_http(INADDR_LOOPBACK, port, Handler, this);
			auto *sa = reinterpret_cast<sockaddr_in *>(&addr);
			sa->sin_family = AF_INET;
			sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			sa->sin_port = htons(port);
			addr_len = sizeof(*sa);
		}
		ASSERT_NE(nullptr, srv) << strerror(errno);
	}

	static uint16_t FreePort()
	{
		sockaddr_in sa = {};
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(fd, (sockaddr *)&sa, &len) != 0)
			sa.sin_port = 0;
		close(fd);
		return ntohs(sa.sin_port);
	}

	// The status line, the headers, the body; the head must end with a blank line.
	struct Response {
		std::string status;
		std::vector<std::string> headers;
		std::string body;
	};
	static Response Split(const std::string &s)
	{
		Response r;
		size_t end = s.find("\r\n\r\n"), at = 0;

		EXPECT_NE(std::string::npos, end) << "no end of head in: " << s;
		if (end == std::string::npos)
			return r;
		r.body = s.substr(end + 4);
		while (at < end) {
			size_t eol = s.find("\r\n", at);
			std::string line = s.substr(at, eol - at);
			if (at == 0)
				r.status = line;
			else
				r.headers.push_back(line);
			at = eol + 2;
		}
		return r;
	}
	static bool Has(const Response &r, const std::string &header)
	{
		return std::find(r.headers.begin(), r.headers.end(), header) != r.headers.end();
	}
};

} // namespace

TEST_F(CtlHttp, MetricsAre200WithTheirContentTypeAndLength)
{
	Response r = Split(Ask("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));

	EXPECT_EQ("HTTP/1.0 200 OK", r.status);
	EXPECT_TRUE(Has(r, "Content-Type: text/plain; version=0.0.4"));
	EXPECT_TRUE(Has(r, "Content-Length: " + std::to_string(r.body.size())));
	EXPECT_EQ("# TYPE lnsd_tunnels gauge\nlnsd_tunnels 3\n", r.body);
	ASSERT_EQ(1u, calls.size());
	EXPECT_EQ("GET", calls[0].argv.at(0));
	EXPECT_EQ("/metrics", calls[0].argv.at(1));
	EXPECT_FALSE(calls[0].json);
	EXPECT_EQ(0u, Poll());
}

TEST_F(CtlHttp, NothingIsAnsweredBeforeTheBlankLineEndsTheHead)
{
	int fd = Connect();
	bool eof;

	Send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
	PollSome();
	EXPECT_TRUE(calls.empty());
	EXPECT_EQ("", ReadNow(fd, &eof));
	EXPECT_FALSE(eof);

	Send(fd, "\r\n");
	Response r = Split(ReadToEof(fd));
	EXPECT_EQ("HTTP/1.0 200 OK", r.status);
	EXPECT_EQ("# TYPE lnsd_tunnels gauge\nlnsd_tunnels 3\n", r.body);
	EXPECT_EQ(1u, calls.size());

	// a head ended by bare newlines does as well
	EXPECT_EQ("HTTP/1.0 200 OK", Split(Ask("GET /metrics HTTP/1.0\n\n")).status);
}

TEST_F(CtlHttp, ErrorIs404WithTheHandlersText)
{
	Response r = Split(Ask("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));

	EXPECT_EQ("HTTP/1.0 404 Not Found", r.status);
	EXPECT_TRUE(Has(r, "Content-Type: text/plain; version=0.0.4"));
	EXPECT_TRUE(Has(r, "Content-Length: " + std::to_string(r.body.size())));
	EXPECT_EQ("not found: /nope\n", r.body);
}

// Found by this test (fixed): a request head that fills the buffer got the
// UNIX protocol's error on the HTTP port; now a 431.
TEST_F(CtlHttp, HeadTooLongIsAnHttpError)
{
	// exactly the buffer, so that nothing is left unread to reset the connection
	std::string head = "GET /metrics HTTP/1.1\r\nX-Pad: ";
	head += std::string(2047 - head.size(), 'x');
	ASSERT_EQ(2047u, head.size());
	std::string got = Ask(head);

	EXPECT_EQ(0u, got.rfind("HTTP/1.0 4", 0)) << got;
	EXPECT_TRUE(calls.empty());
}

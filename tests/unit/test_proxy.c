/*
 * test_proxy.c - the client's address behind trusted proxies: parsing --trust-proxy lists
 * (loopback, addresses, CIDR blocks, refusals), membership, and reading X-Forwarded-For
 * from the right only when the peer is trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "http/proxy.h"

static void test_parse(void **state)
{
	struct proxy_list l;

	(void)state;
	assert_int_equal(proxy_list_parse("loopback", &l), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(proxy_list_parse("127.0.0.1,10.0.0.0/8, fd00::/8 ,loopback", &l), ERR_OK);
	assert_int_equal(l.n, 5);
	static const char *const bad[] = {"",
					  "nope",
					  "10.0.0.0/33",
					  "::/129",
					  "10.0.0.0/",
					  "10.0.0.0/x",
					  "1.2.3.4,,5.6.7.8",
					  "1.2.3",
					  "10.0.0.0/1234",
					  "1.2.3.4 5.6.7.8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proxy_list_parse(bad[i], &l), ERR_INVALID);
		assert_int_equal(l.n, 0);
	}
	char many[512] = "";
	for (int i = 0; i < PROXY_MAX + 1; i++)
		strcat(many, i ? ",10.0.0.1" : "10.0.0.1");
	assert_int_equal(proxy_list_parse(many, &l), ERR_INVALID);
}

static void test_trusted(void **state)
{
	struct proxy_list l;

	(void)state;
	assert_int_equal(proxy_list_parse("10.0.0.0/8,192.168.1.128/25,2001:db8::/32,loopback", &l),
			 ERR_OK);
	assert_true(proxy_trusted(&l, "10.200.3.4"));
	assert_true(proxy_trusted(&l, "127.0.0.2"));
	assert_true(proxy_trusted(&l, "::1"));
	assert_true(proxy_trusted(&l, "::ffff:10.1.1.1")); /* IPv4-mapped */
	assert_true(proxy_trusted(&l, "192.168.1.200"));
	assert_false(proxy_trusted(&l, "192.168.1.127"));
	assert_true(proxy_trusted(&l, "2001:db8:1::5"));
	assert_false(proxy_trusted(&l, "2001:db9::5"));
	assert_false(proxy_trusted(&l, "11.0.0.1"));
	assert_false(proxy_trusted(&l, "not-an-address"));
	assert_false(proxy_trusted(&l, NULL));
	memset(&l, 0, sizeof(l));
	assert_false(proxy_trusted(&l, "127.0.0.1")); /* an empty list trusts nobody */
}

static void client(const struct proxy_list *l, const char *peer, const char *xff, const char *want)
{
	char out[48];

	proxy_client(l, peer, xff, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_client(void **state)
{
	struct proxy_list none, lo, lan;

	(void)state;
	memset(&none, 0, sizeof(none));
	assert_int_equal(proxy_list_parse("loopback", &lo), ERR_OK);
	assert_int_equal(proxy_list_parse("127.0.0.1,10.0.0.0/8", &lan), ERR_OK);
	/* without trusted proxies the header is ignored */
	client(&none, "127.0.0.1", "203.0.113.5", "127.0.0.1");
	/* a peer that is not trusted: ignored too */
	client(&lo, "198.51.100.1", "203.0.113.5", "198.51.100.1");
	client(&lo, "127.0.0.1", NULL, "127.0.0.1");
	client(&lo, "127.0.0.1", "203.0.113.5", "203.0.113.5");
	/* the right-most untrusted entry wins; the client's own left part is not believed */
	client(&lo, "127.0.0.1", "198.51.100.7, 203.0.113.5", "203.0.113.5");
	client(&lan, "10.0.0.2", "198.51.100.7, 203.0.113.5, 10.1.2.3", "203.0.113.5");
	client(&lan, "10.0.0.2", " 203.0.113.5 ,10.1.2.3 , 127.0.0.1", "203.0.113.5");
	/* all trusted: the left-most */
	client(&lan, "10.0.0.2", "10.9.9.9, 10.1.2.3", "10.9.9.9");
	/* garbage ends the walk at the hop that handed it on */
	client(&lan, "10.0.0.2", "203.0.113.5, unknown, 10.1.2.3", "10.1.2.3");
	client(&lo, "127.0.0.1", "<script>", "127.0.0.1");
	client(&lo, "127.0.0.1", "", "127.0.0.1");
	client(&lo, "127.0.0.1", "203.0.113.5,,", "203.0.113.5");
	/* printed canonically */
	client(&lo, "127.0.0.1", "2001:DB8:0:0::1", "2001:db8::1");
	client(&lo, "::1", "203.0.113.9", "203.0.113.9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_trusted),
	    cmocka_unit_test(test_client),
	};

	return cmocka_run_group_tests_name("proxy", tests, NULL, NULL);
}

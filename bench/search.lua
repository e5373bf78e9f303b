-- bench/search.lua - wrk script for bench/sessions.sh: GET /api/v1/search?q=... rotating
-- over the queries in $BENCH_QUERIES (separated by "|"; UTF-8, encoded here). Each wrk
-- thread starts at a different place in the list.
local queries = {}
for q in string.gmatch(os.getenv("BENCH_QUERIES") or "生育", "[^|]+") do
	queries[#queries + 1] = q
end

local function encode(s)
	return (string.gsub(s, "[^%w%-_%.~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

local paths = {}
for i, q in ipairs(queries) do
	paths[i] = "/api/v1/search?q=" .. encode(q)
end

local counter = 0
local n = 0

function setup(thread)
	counter = counter + 1
	thread:set("start", counter * 7)
end

function init(args)
	n = tonumber(start) or 0
end

function request()
	n = n + 1
	return wrk.format("GET", paths[(n % #paths) + 1])
end

-- bench/votes.lua - wrk script for bench/votes.sh: PUT /api/v1/statements/{id}/vote with
-- {"vote":1|-1|0} as anonymous participants (Cookie: sl_anon=<64 hex>).
--
-- Environment:
--   BENCH_STATEMENTS  the statement ids, separated by commas
--   BENCH_NONCE       8 hex digits that make this run's participants new ones
--   BENCH_VOTE_SLOTS  participants per wrk thread, served in turn (default 1). Run with as
--                     many threads as connections (-tN -cN) and 1 slot, and every
--                     connection is its own participant, as phones are; with -t1 -cN and N
--                     slots, the N participants take turns over the N connections.
--
-- Each participant votes on every statement once, starting at its own place in the list,
-- then is replaced by a new participant (a new cookie), so every vote is a new row: the
-- vote table grows by exactly one row per 200 answer, which bench/votes.sh checks.
local ids = {}
for id in string.gmatch(os.getenv("BENCH_STATEMENTS") or "", "%d+") do
	ids[#ids + 1] = id
end
if #ids == 0 then
	ids[1] = "1"
end
local nonce = string.sub((os.getenv("BENCH_NONCE") or "") .. "00000000", 1, 8)
local nslots = tonumber(os.getenv("BENCH_VOTE_SLOTS") or "1") or 1

local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("tno", counter)
end

local slots = {}
local turn = 0

local function cookie(s)
	-- 8 + 8 + 8 + 8 + 32 = 64 hex digits, unique per run, thread, slot and generation
	return string.format("sl_anon=%s%08x%08x%08x%s", nonce, tno, s.no, s.gen,
		"0123456789abcdef0123456789abcdef")
end

function init(args)
	for i = 1, nslots do
		local s = { no = i, gen = 0, k = 0 }
		s.start = ((tno or 1) * 7919 + i * 104729) % #ids
		s.cookie = cookie(s)
		slots[i] = s
	end
end

local headers = { ["Content-Type"] = "application/json" }

function request()
	turn = turn % nslots + 1
	local s = slots[turn]
	if s.k == #ids then
		s.k = 0
		s.gen = s.gen + 1
		s.cookie = cookie(s)
	end
	s.k = s.k + 1
	local id = ids[(s.start + s.k - 1) % #ids + 1]
	headers["Cookie"] = s.cookie
	return wrk.format("PUT", "/api/v1/statements/" .. id .. "/vote", headers,
		'{"vote":' .. ((s.k + s.no) % 3 - 1) .. '}')
end

"""The Lua scripts the scheduler runs on Redis (each one atomic)."""

# Take the first request of the frontier and record it as in flight for this worker, atomically
# (a worker dying between the two would otherwise lose it). Marks the worker busy.
POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0)
if #items == 0 then return false end
redis.call('ZREM', KEYS[1], items[1])
redis.call('HSET', KEYS[2], ARGV[1], items[1])
redis.call('SET', KEYS[3], 'busy', 'EX', ARGV[2])
return items[1]
"""

# Register a worker. Returns {fresh, alive}: fresh = 1 when no other worker is alive and nothing
# is left (queue, in-flight of dead workers): a new run, whose stale dupefilter is cleared.
JOIN = """
local alive, leftovers = 0, 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[3] .. id) == 1 then alive = alive + 1
    else leftovers = leftovers + redis.call('HLEN', ARGV[4] .. id) end
  end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], 'busy', 'EX', ARGV[2])
local fresh = 0
if alive == 0 and leftovers == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  fresh = 1
end
return {fresh, alive}
"""

# Put back in the frontier the in-flight requests of workers whose heartbeat key expired (or of
# the worker ARGV[3] itself when it stops early), and forget those workers. Returns the count.
REQUEUE = """
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id == ARGV[3] or (ARGV[3] == '' and redis.call('EXISTS', ARGV[1] .. id) == 0) then
    local key = ARGV[2] .. id
    for _, data in ipairs(redis.call('HVALS', key)) do
      local ok, req = pcall(cjson.decode, data)
      local priority = 0
      if ok and type(req) == 'table' and type(req['priority']) == 'number' then priority = req['priority'] end
      redis.call('ZADD', KEYS[2], -priority, data)
      n = n + 1
    end
    redis.call('DEL', key)
    if ARGV[3] == '' then redis.call('SREM', KEYS[1], id) end
  end
end
return n
"""

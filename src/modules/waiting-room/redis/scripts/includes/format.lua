-- Floats are stored and returned as strings with 17 significant digits: that round-trips every
-- double exactly (Lua's tostring keeps 14, and a number returned to Redis is cut to an integer).
local function num(x)
  return string.format('%.17g', x)
end

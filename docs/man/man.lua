-- pandoc filter for lnsd's man pages (docs/meson.build): markdown docs to roff.
--   * a level-1 heading is a man section (.SH) in capitals; a document's
--     title in mixed case (docs/config.md's "Configuration") is DESCRIPTION
--   * links become their text (they point at other markdown files)
--   * "\|" in code is "|", as GitHub shows a pipe escaped in a table's cell
--   * a table becomes a list of tagged paragraphs (.TP), as man pages list
--     options: its first column the tag, with "(default: ...)" from a
--     column headed "default", the other columns the paragraph. tbl's tables
--     do not fit 80 columns with the docs' long cells.

local stringify = pandoc.utils.stringify

function Header(h)
	if h.level ~= 1 then
		return nil
	end
	local text = stringify(h)
	if text ~= text:upper() then
		text = 'DESCRIPTION'
	end
	return pandoc.Header(1, text:upper(), h.attr)
end

function Link(l)
	return l.content
end

-- "\|" in a table's code span is a "|" (as GitHub shows it); pandoc keeps the "\"
function Code(c)
	c.text = c.text:gsub('\\|', '|')
	return c
end

-- a cell's blocks as inlines (the docs' cells are one plain paragraph)
local function inlines(cell)
	local out = pandoc.List()
	for i, b in ipairs(cell.contents) do
		if i > 1 then
			out:insert(pandoc.Space())
		end
		if b.content then
			out:extend(b.content)
		end
	end
	return out
end

function Table(t)
	local heads = {}
	for _, row in ipairs(t.head.rows) do
		for i, cell in ipairs(row.cells) do
			heads[i] = stringify(cell.contents)
		end
	end
	local items = pandoc.List()
	for _, body in ipairs(t.bodies) do
		for _, row in ipairs(body.body) do
			local term = inlines(row.cells[1])
			local text = pandoc.List()
			for i = 2, #row.cells do
				local cell = inlines(row.cells[i])
				if heads[i] == 'default' then
					if #cell > 0 then
						term:extend({ pandoc.Space(), pandoc.Str('(default:'), pandoc.Space() })
						term:extend(cell)
						term:insert(pandoc.Str(')'))
					end
				elseif #cell > 0 then
					if #text > 0 then
						text:extend({ pandoc.Str(';'), pandoc.Space() })
					end
					text:extend(cell)
				end
			end
			items:insert({ term, { pandoc.Plain(text) } })
		end
	end
	return pandoc.DefinitionList(items)
end

/*
 * json_handlers.c - handling units' queue and the commitments list to JSON (see
 * json_handlers.h).
 */
#include "json_handlers.h"
#include "json_output.h"
#include "web.h"

#include <string.h>

json_t *assignment_to_json(const struct assignment *x)
{
	json_t *ops = json_array(), *reply;
	size_t i;

	for (i = 0; i < x->nopinions; i++)
		json_array_append_new(ops,
				      json_pack("{sI ss ss so}", "handler_id",
						(json_int_t)x->opinions[i].handler_id, "name",
						x->opinions[i].name, "text", x->opinions[i].text,
						"at", web_time_json(x->opinions[i].at)));
	reply = json_pack("{sb so ss? sI ss}", "replied", x->replied, "replied_at",
			  web_time_json(x->replied ? x->replied_at : 0), "grade",
			  x->replied && x->reply_grade[0] ? x->reply_grade : NULL,
			  "lead_handler_id", (json_int_t)x->lead_id, "lead_handler", x->lead_name);
	return json_pack("{sI sI ss ss ss ss so sb so so so}", "id", (json_int_t)x->output_id,
			 "output_id", (json_int_t)x->output_id, "kind", x->kind, "title", x->title,
			 "state", x->state, "role", x->role, "reply_due",
			 web_time_json(x->reply_due), "overdue", x->overdue, "assigned_at",
			 web_time_json(x->assigned_at), "reply", reply, "opinions", ops);
}

json_t *assignment_list_json(const struct assignment_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, assignment_to_json(&l->items[i]));
	return arr;
}

json_t *handler_choice_json(struct db *db, const struct actor *a)
{
	struct handler_list l;
	json_t *arr = json_array();
	size_t i;

	if (handler_list(db, a, &l) == ERR_OK)
		for (i = 0; i < l.n; i++)
			if (!l.items[i].disabled)
				json_array_append_new(arr, handler_to_json(&l.items[i]));
	handler_list_release(&l);
	return arr;
}

json_t *commitment_item_to_json(const struct commitment_item *x)
{
	json_t *owner_id = x->c.owner_id ? json_integer((json_int_t)x->c.owner_id) : json_null();

	return json_pack("{sI sI ss so ss so ss ss? ss sb}", "id", (json_int_t)x->c.id,
			 "session_id", (json_int_t)x->session_id, "session_title", x->session_title,
			 "session_starts_at", web_time_json(x->session_starts_at), "owner",
			 x->c.owner, "owner_id", owner_id, "body", x->c.body, "due_date",
			 x->c.due_date[0] ? x->c.due_date : NULL, "status", x->c.status, "overdue",
			 x->overdue);
}

json_t *commitment_list_json(const struct commitment_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, commitment_item_to_json(&l->items[i]));
	return arr;
}

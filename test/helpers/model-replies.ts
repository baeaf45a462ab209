import { type ModelReply, type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';

export const JOHN_ANSWER = 'John Doe is a customer at Acme.';

/** A model that looks john@acme.com up with one read tool, then answers: one tool run per request. */
export const lookUpJohn = (req: ModelRequest): ModelReply =>
  toolResults(req).length === 0
    ? {
        toolCalls: [
          {
            name: 'intercom_search_contacts',
            args: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
          },
        ],
      }
    : { text: JOHN_ANSWER };

import type { SlackUser } from '../shared/messages.ts';

/** What every interaction payload (a click, a modal's submit) says about who sent it. */
interface InteractionBody {
  team?: { id: string } | null;
  user: { id: string; team_id?: string };
}

/**
 * Who clicked or submitted, from Slack's signed payload: the workspace's team, or the user's own on an org-wide
 * install. Undefined when the payload names no team (nothing can be done for them then).
 */
export function actingUser(body: InteractionBody): SlackUser | undefined {
  const teamId = body.team?.id ?? body.user.team_id;
  return teamId ? { teamId, userId: body.user.id } : undefined;
}

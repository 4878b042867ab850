/**
 * Starting the Discord platform for `npm start` (adapters/start.ts): logs the
 * bot in and waits until it is ready. Setup mistakes stop start-up with a
 * message naming the setting to fix: a token Discord refuses (DISCORD_TOKEN),
 * or the Message Content intent requested without being enabled for the bot
 * in the Developer Portal (DISCORD_MESSAGE_CONTENT).
 */
import { DiscordjsError, DiscordjsErrorCodes, GatewayCloseCodes, type Client } from 'discord.js';
import { AdvisorError } from '../../src/errors.ts';
import type { TurnService } from '../../src/turns/service.ts';
import { createDiscordBot, GatewayRefusedError, type DiscordBotOptions } from './bot.ts';
import type { DiscordLive } from './live.ts';

export interface RunningDiscord {
  name: 'discord';
  client: Client;
  /** Its turn layer: `npm start` sweeps its outbox and waits for it at shutdown. */
  turns: TurnService<DiscordLive>;
  stop(): Promise<void>;
}

function configProblem(problem: string, cause: unknown): AdvisorError {
  const error = new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
  error.cause = cause;
  return error;
}

/** Turns Discord's refusals at log-in into configuration problems; other errors pass through. */
export function explainStartFailure(error: unknown): unknown {
  if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) {
    return configProblem('DISCORD_TOKEN: Discord refused the bot token; copy it again from the Bot page of your application in the Developer Portal', error);
  }
  if (error instanceof GatewayRefusedError) {
    switch (error.closeCode) {
      case GatewayCloseCodes.AuthenticationFailed:
        return configProblem('DISCORD_TOKEN: Discord refused the bot token at the gateway; copy it again from the Bot page in the Developer Portal', error);
      case GatewayCloseCodes.DisallowedIntents:
        return configProblem(
          'DISCORD_MESSAGE_CONTENT: the Message Content intent is not enabled for this bot; turn on "Message Content Intent" on the Bot page in the Developer Portal, or set DISCORD_MESSAGE_CONTENT=false',
          error,
        );
      default:
        return error;
    }
  }
  return error;
}

export async function startDiscord(options: DiscordBotOptions): Promise<RunningDiscord> {
  const bot = createDiscordBot(options);
  try {
    await bot.start();
  } catch (error) {
    await bot.client.destroy();
    throw explainStartFailure(error);
  }
  return { name: 'discord', client: bot.client, turns: bot.turns, stop: () => bot.stop() };
}

// The structure of one line of iptables-save/ebtables-save/-S text, as a chevrotain grammar:
//   line      := tableHeader | chainDecl | commit | command
//   command   := Counters? Command argument*
// Arguments stay generic tokens; option resolution happens against the registry (parse/rule-args.ts).
// Built on first use, like the tokens (chevrotain.ts says why).
import type { IToken } from 'chevrotain';
import { chevrotain } from './chevrotain';
import { lexTokens } from './tokens';

export type LineAst =
  | { type: 'table'; header: IToken; rest: IToken[] }
  | { type: 'chain'; decl: IToken; rest: IToken[] }
  | { type: 'commit'; commit: IToken; rest: IToken[] }
  | { type: 'command'; counters: IToken | null; command: IToken; args: IToken[] };

function buildParser() {
  const { allTokens, Bang, ChainDecl, Command, Commit, Counters, TableHeader, Unterminated, Word } = lexTokens();

  class LineParser extends chevrotain().EmbeddedActionsParser {
    constructor() {
      super(allTokens, { recoveryEnabled: false, skipValidations: process.env.NODE_ENV === 'production' });
      this.performSelfAnalysis();
    }

    private anyToken = this.RULE('anyToken', (): IToken =>
      this.OR([
        { ALT: () => this.CONSUME(Word) },
        { ALT: () => this.CONSUME(Bang) },
        { ALT: () => this.CONSUME(Command) },
        { ALT: () => this.CONSUME(Counters) },
        { ALT: () => this.CONSUME(TableHeader) },
        { ALT: () => this.CONSUME(ChainDecl) },
        { ALT: () => this.CONSUME(Commit) },
        { ALT: () => this.CONSUME(Unterminated) },
      ]),
    );

    private rest = this.RULE('rest', (): IToken[] => {
      const out: IToken[] = [];
      this.MANY(() => {
        out.push(this.SUBRULE(this.anyToken));
      });
      return out;
    });

    public line = this.RULE('line', (): LineAst =>
      this.OR([
        { ALT: () => ({ type: 'table' as const, header: this.CONSUME(TableHeader), rest: this.SUBRULE(this.rest) }) },
        { ALT: () => ({ type: 'chain' as const, decl: this.CONSUME(ChainDecl), rest: this.SUBRULE2(this.rest) }) },
        { ALT: () => ({ type: 'commit' as const, commit: this.CONSUME(Commit), rest: this.SUBRULE3(this.rest) }) },
        {
          ALT: () => {
            const counters = this.OPTION(() => this.CONSUME(Counters)) ?? null;
            const command = this.CONSUME(Command);
            const args = this.SUBRULE4(this.rest);
            return { type: 'command' as const, counters, command, args };
          },
        },
      ]),
    );
  }

  return new LineParser();
}

/** One instance, reused by resetting its input (chevrotain performance guide). */
let parser: ReturnType<typeof buildParser> | null = null;

export function parseLineTokens(tokens: IToken[]): LineAst | null {
  parser ??= buildParser();
  parser.input = tokens;
  const ast = parser.line();
  return parser.errors.length > 0 ? null : ast;
}

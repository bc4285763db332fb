import Type from 'typebox';
import { GS1_TEXT, Nullable } from './common.schema.js';
import { AiValue } from './records.schema.js';

export const Gs1ParseRequest = Type.Object(
  {
    text: Type.String({
      description: 'Bracketed form, an element string (GS as ASCII 29, with or without a symbology identifier such as ]d2) or a Digital Link URI.',
      ...GS1_TEXT,
    }),
  },
  { additionalProperties: false },
);

export const Gs1Parsed = Type.Object({
  ais: Type.Array(AiValue),
  bracketed: Type.String(),
  elementString: Type.String({ description: 'GS (ASCII 29) after each variable-length value but the last; no symbology identifier.' }),
  digitalLink: Nullable(Type.String({ description: 'Null when no AI of the data can be a Digital Link primary key.' })),
});

export const Gs1CheckDigitRequest = Type.Object(
  { digits: Type.String({ description: 'A GS1 key without its check digit (7, 11, 12, 13 or 17 digits).' }) },
  { additionalProperties: false },
);

export const Gs1Key = Type.Object({ key: Type.String({ description: 'The key with its check digit.' }) });

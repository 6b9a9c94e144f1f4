/*
 * Grammar of the .nnir text form of the IR (see nncc.ir.text.IrPrinter for the format and an example).
 * Only syntax lives here; names, types, ops and attributes are checked by nncc.ir.text.GraphBuilder.
 */
grammar Nnir;

// ---------------------------------------------------------------- parser

file       : graphDecl EOF ;

graphDecl  : 'graph' AT_NAME '{' decl* '}' ;

decl       : inputDecl | constDecl | nodeDecl | outputDecl ;

inputDecl  : 'input' PCT_NAME ':' tensorType ;

constDecl  : 'const' PCT_NAME ':' tensorType '=' constData ;

constData  : B64                                   # base64Data
           | '[' (number (',' number)*)? ']'       # literalData
           ;

nodeDecl   : 'node' AT_NAME '=' ident attrDict?
             '(' (PCT_NAME (',' PCT_NAME)*)? ')' '->' '(' result (',' result)* ')' ;

result     : PCT_NAME ':' tensorType ;

outputDecl : 'output' PCT_NAME ;

tensorType : ident '[' (dim (',' dim)*)? ']' attrDict? ;

dim        : INT | SYM_DIM ;

attrDict   : '{' (attr (',' attr)*)? '}' ;

attr       : ident '=' attrValue ;

attrValue  : number | ident | STRING | attrList | attrDict ;

attrList   : '[' (attrValue (',' attrValue)*)? ']' ;

number     : INT | FLOAT ;

// keywords are allowed wherever an identifier is (attribute names, enum values)
ident      : IDENT | 'graph' | 'input' | 'const' | 'node' | 'output' ;

// ---------------------------------------------------------------- lexer

// before IDENT so that inf and nan are numbers
FLOAT      : '-'? ( DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT | 'inf' ) | 'nan' ;

INT        : '-'? DIGITS ;

// before IDENT: b64"..." is longer than the identifier b64; the Base64 alphabet is checked on decoding
B64        : 'b64"' ~["]* '"' ;

IDENT      : [A-Za-z_] [A-Za-z0-9_]* ;

STRING     : QUOTED ;

PCT_NAME   : '%' NAME ;

AT_NAME    : '@' NAME ;

SYM_DIM    : '?' ( [A-Za-z0-9_]+ | QUOTED ) ;

LINE_COMMENT : '//' ~[\r\n]* -> skip ;

WS         : [ \t\r\n]+ -> skip ;

fragment DIGITS    : [0-9]+ ;
fragment EXPONENT  : [eE] [+-]? DIGITS ;
fragment QUOTED    : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"' ;
// a bare name never holds "//" (that starts a comment) and never ends with '/'
fragment NAME      : ( NAME_CHAR | '/' NAME_CHAR )+ | QUOTED ;
fragment NAME_CHAR : [A-Za-z0-9_.:\-] ;
